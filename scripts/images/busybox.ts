/**
 * @module
 * `localhost/duraplane/busybox:latest`: the static busybox of the Debian
 * `busybox-static` package with a symlink per applet in /bin, the files a
 * container expects (/etc/passwd, /etc/group, and empty /etc/hostname,
 * /etc/hosts and /etc/resolv.conf for the runtime to bind-mount over) and the
 * usual empty directories. Runs `sh` when given no command.
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ImageRecipe } from "./recipe.ts";

const run = promisify(execFile);

/** Where the busybox-static package puts its binary. */
export const BUSYBOX_STATIC = "/bin/busybox";

/** Fills `rootfs` with a busybox userland. */
export async function buildBusyboxRootfs(rootfs: string, busybox = BUSYBOX_STATIC): Promise<void> {
  if (!existsSync(busybox)) throw new Error(`${busybox} is missing: install the Debian package "busybox-static"`);
  const { stdout } = await run(busybox, ["--list"]);
  for (const dir of ["bin", "etc", "dev", "proc", "sys", "tmp", "root", "run", "var/tmp", "home"]) await mkdir(join(rootfs, dir), { recursive: true });
  await chmod(join(rootfs, "tmp"), 0o1777);
  await chmod(join(rootfs, "var/tmp"), 0o1777);
  await copyFile(busybox, join(rootfs, "bin", "busybox"));
  await chmod(join(rootfs, "bin", "busybox"), 0o755);
  for (const applet of stdout.split("\n").map((s) => s.trim())) {
    if (applet === "" || applet === "busybox" || applet.includes("/")) continue;
    await symlink("busybox", join(rootfs, "bin", applet));
  }
  // /usr/bin, /sbin and /usr/sbin are the same /bin, as on a merged-/usr system.
  await mkdir(join(rootfs, "usr"), { recursive: true });
  await symlink("../bin", join(rootfs, "usr", "bin"));
  await symlink("bin", join(rootfs, "sbin"));
  await symlink("../bin", join(rootfs, "usr", "sbin"));
  await writeFile(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  await writeFile(join(rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  // Placeholders: the runtime bind-mounts the pod's own over them (host network: the host's).
  await writeFile(join(rootfs, "etc", "hostname"), "localhost\n");
  await writeFile(join(rootfs, "etc", "hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost\n");
  await writeFile(join(rootfs, "etc", "resolv.conf"), "");
}

/** The busybox container image. */
/** The busybox container image's reference. */
export const BUSYBOX_REF = "localhost/duraplane/busybox:latest";

export const busyboxImage: ImageRecipe = {
  ref: BUSYBOX_REF,
  build: (rootfs) => buildBusyboxRootfs(rootfs),
  config: { cmd: ["sh"], env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
};
