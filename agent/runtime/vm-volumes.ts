/**
 * @module
 * Turns a VMI's volumes and kernel boot image into files for its domain, in
 * the VMI's own directory (removed with it), as virt-launcher prepares them:
 * a `containerDisk` is copied out of its image's `/disk/` (the image stays
 * untouched and writes vanish with the VMI, KubeVirt's ephemeral semantics),
 * `cloudInitNoCloud` becomes a NoCloud seed ISO, `emptyDisk` a sparse file
 * of its capacity; a `hostDisk` is used in place (created sparse for
 * DiskOrCreate). Kernel and initrd are copied too: libvirt hands the files it
 * uses to the QEMU user, which must not change the shared image store.
 */
import { constants, existsSync } from "node:fs";
import { copyFile, mkdir, open, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { HostDisk } from "./domain-xml.ts";
import type { ImageStore, PullPolicy } from "./images.ts";
import { noCloudIso, noCloudMetaData } from "./nocloud-iso.ts";
import { DomainSpecError, type VMIDomainSpec } from "./vmi-domain-spec.ts";

function policy(p: string | undefined): PullPolicy {
  return p === "Always" || p === "Never" ? p : "IfNotPresent";
}

/** qcow2 images start with `QFI\xfb`; anything else is used raw. */
async function formatOf(path: string): Promise<HostDisk["format"]> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.equals(Buffer.from([0x51, 0x46, 0x49, 0xfb])) ? "qcow2" : "raw";
  } finally {
    await handle.close();
  }
}

async function sparseFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/** `path` inside the image `rootfs`, which must be a regular file. */
async function fileInImage(rootfs: string, path: string, what: string, image: string): Promise<string> {
  const full = join(rootfs, path);
  if (!existsSync(full) || !(await stat(full)).isFile()) throw new DomainSpecError(`${what}: image "${image}" has no file ${path}`);
  return full;
}

/** KubeVirt's default: the one disk file under `/disk/`. */
async function containerDiskFile(rootfs: string, image: string, path: string | undefined): Promise<string> {
  if (path) return fileInImage(rootfs, path, "containerDisk", image);
  const dir = join(rootfs, "disk");
  const files = existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort() : [];
  if (files.length === 0) throw new DomainSpecError(`containerDisk: image "${image}" has no disk file under /disk/`);
  return join(dir, files[0] ?? "");
}

/** What a domain's files are. */
export interface PreparedFiles {
  disks: Record<string, HostDisk>;
  kernel?: { kernel?: string; initrd?: string };
}

/** Creates the VMI's files under `dir`. */
export async function prepareFiles(spec: VMIDomainSpec, vmi: { namespace: string; name: string }, dir: string, images: ImageStore): Promise<PreparedFiles> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const disks: Record<string, HostDisk> = {};
  for (const [i, disk] of spec.disks.entries()) {
    const source = disk.source;
    switch (source.kind) {
      case "containerDisk": {
        const rootfs = await images.rootfs(source.image, policy(source.pullPolicy));
        const from = await containerDiskFile(rootfs, source.image, source.path);
        const to = join(dir, `disk-${i}`);
        await copyFile(from, to, constants.COPYFILE_FICLONE);
        disks[disk.name] = { path: to, format: await formatOf(to) };
        break;
      }
      case "cloudInitNoCloud": {
        const to = join(dir, `disk-${i}-cidata.iso`);
        await writeFile(to, noCloudIso({ userData: source.userData, metaData: noCloudMetaData(vmi), ...(source.networkData !== undefined ? { networkData: source.networkData } : {}) }));
        disks[disk.name] = { path: to, format: "raw" };
        break;
      }
      case "emptyDisk": {
        const to = join(dir, `disk-${i}-empty.img`);
        await sparseFile(to, source.capacityBytes);
        disks[disk.name] = { path: to, format: "raw" };
        break;
      }
      case "hostDisk": {
        if (!existsSync(source.path)) {
          if (source.type !== "DiskOrCreate") throw new DomainSpecError(`hostDisk "${disk.name}": ${source.path} does not exist (type Disk)`);
          await mkdir(dirname(source.path), { recursive: true });
          await sparseFile(source.path, source.capacityBytes ?? 0);
        }
        disks[disk.name] = { path: source.path, format: await formatOf(source.path) };
        break;
      }
    }
  }
  const boot = spec.firmware.kernelBoot;
  if (!boot) return { disks };
  const rootfs = await images.rootfs(boot.image, policy(boot.pullPolicy));
  const kernel: { kernel?: string; initrd?: string } = {};
  if (boot.kernelPath) {
    kernel.kernel = join(dir, "kernel");
    await copyFile(await fileInImage(rootfs, boot.kernelPath, "kernelBoot.container.kernelPath", boot.image), kernel.kernel, constants.COPYFILE_FICLONE);
  }
  if (boot.initrdPath) {
    kernel.initrd = join(dir, "initrd");
    await copyFile(await fileInImage(rootfs, boot.initrdPath, "kernelBoot.container.initrdPath", boot.image), kernel.initrd, constants.COPYFILE_FICLONE);
  }
  return { disks, kernel };
}
