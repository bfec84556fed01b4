/**
 * @module
 * The two images a VMI boots in tests and demos, made from Debian packages on
 * this machine (nothing is downloaded at test time):
 * - `tinyVmImage`: a KubeVirt `kernelBoot` image — `/boot/vmlinuz` from the
 *   `linux-image-amd64` package (fetched with `apt-get download` into a cache
 *   and unpacked with `dpkg-deb -x`, never installed) and `/boot/initrd.gz`,
 *   a busybox-static initramfs (see vm-guest-init.ts);
 * - `dataDiskImage`: a `containerDisk` image, a small raw disk under `/disk/`
 *   whose first bytes say what it is.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { initScript, UDHCPC_SCRIPT } from "./vm-guest-init.ts";
import type { ImageRecipe } from "./recipe.ts";

/** The kernelBoot image's reference. */
export const TINY_VM_REF = "localhost/duraplane/tiny-vm:latest";
/** The containerDisk image's reference. */
export const DATA_DISK_REF = "localhost/duraplane/data-disk:latest";
/** The data disk's first bytes. */
export const DATA_DISK_MAGIC = "DURAPLANE-DATA-DISK-v1";
/** The data disk's size: small, but a whole number of sectors. */
export const DATA_DISK_BYTES = 1024 * 1024;

/** Modules the guest loads (with their dependencies): disks, network, the ACPI power button, ISO 9660 (NoCloud seeds). */
const WANTED_MODULES = ["virtio_pci", "virtio_blk", "virtio_net", "ahci", "sd_mod", "button", "evdev", "isofs"];

/** Where downloaded packages and unpacked kernels are kept: `$DURAPLANE_CACHE` or `.duraplane/cache`. */
export function defaultCacheDir(): string {
  return process.env.DURAPLANE_CACHE ?? join(fileURLToPath(new URL("../..", import.meta.url)), ".duraplane", "cache");
}

/** Runs a program (no shell); rejects with its stderr. */
function run(file: string, args: string[], options: { cwd?: string; input?: string; stdout?: NodeJS.WritableStream } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ["pipe", options.stdout ? "pipe" : "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    if (options.stdout && child.stdout) child.stdout.pipe(options.stdout);
    child.on("error", (err) => reject(new Error(`${file}: ${err.message} (is its package installed?)`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${stderr.trim()}`))));
    child.stdin?.end(options.input ?? "");
  });
}

function capture(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => reject(new Error(`${file}: ${e.message}`)));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(" ")} exited ${code}: ${err.trim()}`))));
  });
}

/** An unpacked Debian kernel package. */
export interface DebianKernel {
  version: string;
  vmlinuz: string;
  /** `lib/modules/<version>` */
  modules: string;
}

/** The kernel `linux-image-amd64` points at, downloaded and unpacked once into the cache. */
export async function debianKernel(cacheDir: string): Promise<DebianKernel> {
  const depends = await capture("apt-cache", ["depends", "linux-image-amd64"]);
  const pkg = /Depends:\s+(linux-image-\S+)/.exec(depends)?.[1];
  if (!pkg) throw new Error("apt-cache knows no linux-image-amd64 (run apt-get update)");
  const version = pkg.replace(/^linux-image-/, "");
  const dir = join(cacheDir, "kernels", version);
  const vmlinuz = join(dir, "boot", `vmlinuz-${version}`);
  const modules = join(dir, "lib", "modules", version);
  if (existsSync(vmlinuz) && existsSync(modules)) return { version, vmlinuz, modules };
  const debs = join(cacheDir, "debs");
  await mkdir(debs, { recursive: true });
  await run("apt-get", ["download", pkg], { cwd: debs });
  const deb = (await readdir(debs)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(".deb"));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${debs}`);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await run("dpkg-deb", ["-x", join(debs, deb), tmp]);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { version, vmlinuz, modules };
}

async function moduleIndex(dir: string, index = new Map<string, string>()): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await moduleIndex(path, index);
    else if (entry.name.endsWith(".ko")) index.set(entry.name.slice(0, -3).replace(/-/g, "_"), path);
  }
  return index;
}

/** `wanted` and everything they depend on (read from each .ko's modinfo), dependencies first. */
export async function moduleLoadOrder(modulesDir: string, wanted: readonly string[]): Promise<string[]> {
  const index = await moduleIndex(join(modulesDir, "kernel"));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    const key = name.replace(/-/g, "_");
    if (seen.has(key)) return;
    seen.add(key);
    const path = index.get(key);
    if (!path) return; // built into the kernel
    const depends = /(?:^|\0)depends=([^\0]*)\0/.exec((await readFile(path)).toString("latin1"))?.[1] ?? "";
    for (const dep of depends.split(",").filter(Boolean)) await visit(dep);
    order.push(path);
  };
  for (const name of wanted) await visit(name);
  return order;
}

/** Writes `root` as a gzipped newc cpio archive (owned by root, as an initramfs must be). */
async function packInitramfs(root: string, out: string): Promise<void> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      files.push(relative(root, path));
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  // Same inputs, same bytes: fixed order and times, so an unchanged image keeps its digest and is not imported again.
  files.sort();
  for (const f of files) await utimes(join(root, f), 0, 0);
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) => {
    const file = createWriteStream(out);
    file.on("finish", resolve);
    file.on("error", reject);
    gzip.pipe(file);
  });
  await run("cpio", ["--quiet", "--reproducible", "-o", "-H", "newc", "-R", "0:0"], { cwd: root, input: `${files.join("\n")}\n`, stdout: gzip });
  await done;
}

/** The busybox initramfs for `kernel`. */
export async function buildInitramfs(kernel: DebianKernel, out: string): Promise<void> {
  const root = `${out}.d`;
  await rm(root, { recursive: true, force: true });
  for (const d of ["bin", "lib/modules", "etc", "proc", "sys", "dev", "tmp"]) await mkdir(join(root, d), { recursive: true });
  await copyFile("/bin/busybox", join(root, "bin", "busybox"));
  await chmod(join(root, "bin", "busybox"), 0o755);
  const modules = await moduleLoadOrder(kernel.modules, WANTED_MODULES);
  for (const m of modules) await copyFile(m, join(root, "lib", "modules", basename(m)));
  await writeFile(join(root, "init"), initScript(modules.map((m) => basename(m))), { mode: 0o755 });
  await writeFile(join(root, "etc", "udhcpc.script"), UDHCPC_SCRIPT, { mode: 0o755 });
  await mkdir(dirname(out), { recursive: true });
  await packInitramfs(root, out);
  await rm(root, { recursive: true, force: true });
}

/** The kernelBoot image, with packages cached under `cacheDir`. */
export function tinyVmRecipe(cacheDir: string): ImageRecipe {
  return {
    ref: TINY_VM_REF,
    async build(rootfs) {
      if (!existsSync("/bin/busybox")) throw new Error("/bin/busybox is missing: apt-get install busybox-static");
      const kernel = await debianKernel(cacheDir);
      await mkdir(join(rootfs, "boot"), { recursive: true });
      await copyFile(kernel.vmlinuz, join(rootfs, "boot", "vmlinuz"));
      await buildInitramfs(kernel, join(rootfs, "boot", "initrd.gz"));
    },
  };
}

/** The containerDisk image: `/disk/data.img`, a raw disk starting with `DATA_DISK_MAGIC`. */
export const dataDiskImage: ImageRecipe = {
  ref: DATA_DISK_REF,
  async build(rootfs) {
    await mkdir(join(rootfs, "disk"), { recursive: true });
    const disk = Buffer.alloc(DATA_DISK_BYTES);
    disk.write(`${DATA_DISK_MAGIC}\n`, "latin1");
    await writeFile(join(rootfs, "disk", "data.img"), disk);
  },
};

/** The kernelBoot image, cached under `defaultCacheDir()`. */
export const tinyVmImage: ImageRecipe = tinyVmRecipe(defaultCacheDir());
