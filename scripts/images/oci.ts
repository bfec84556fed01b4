/**
 * @module
 * A minimal OCI image-layout writer: one gzip layer made by the system `tar`
 * from a recipe's rootfs, the image config, the manifest, `index.json` and
 * `oci-layout`, packed into one tar that `ctr images import` takes.
 * Reproducible: files sorted, owners 0, mtimes 0, `gzip -n`, so the same
 * rootfs always gives the same manifest digest and an unchanged image is
 * recognised by digest and not imported again.
 * @see https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ImageRecipe } from "./recipe.ts";

const run = promisify(execFile);

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

/** What `writeImageLayout` made. */
export interface WrittenImage {
  /** The manifest's digest: what containerd's store records as the image's target. */
  manifestDigest: string;
  /** The layout packed as one tar, for `ctr images import`. */
  archive: string;
  /** Compressed layer size in bytes. */
  layerSize: number;
}

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** Go's GOARCH for this machine (OCI platforms use Go's names). */
export function ociArchitecture(): string {
  return ({ x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[process.arch] ?? process.arch;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest("hex")}`;
}

/** Stores `path` (or `data`) as a blob; returns its descriptor fields. */
async function putBlob(layout: string, mediaType: string, data: Buffer): Promise<Descriptor> {
  const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  await writeFile(join(layout, "blobs", "sha256", digest.slice(7)), data);
  return { mediaType, digest, size: data.length };
}

/** `index.json`'s annotations: containerd names the imported image by `io.containerd.image.name`. */
function refAnnotations(ref: string): Record<string, string> {
  const tag = /:([^/:]+)$/.exec(ref)?.[1] ?? "latest";
  return { "io.containerd.image.name": ref, "org.opencontainers.image.ref.name": tag };
}

/**
 * Writes an OCI image layout for `recipe` whose filled rootfs is `rootfs`,
 * under `work` (an empty scratch directory), and packs it into `work/image.tar`.
 */
export async function writeImageLayout(recipe: ImageRecipe, rootfs: string, work: string): Promise<WrittenImage> {
  const layout = join(work, "layout");
  await mkdir(join(layout, "blobs", "sha256"), { recursive: true });
  const tarPath = join(work, "layer.tar");
  await run("tar", [
    "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu",
    "-C", rootfs, "-cf", tarPath, ".",
  ], { maxBuffer: 16 * 1024 * 1024 });
  const diffID = await sha256File(tarPath);
  await run("gzip", ["-n", "-6", tarPath]);
  const gz = `${tarPath}.gz`;
  const layerDigest = await sha256File(gz);
  const layerSize = (await stat(gz)).size;
  await rename(gz, join(layout, "blobs", "sha256", layerDigest.slice(7)));
  const architecture = ociArchitecture();
  const c = recipe.config ?? {};
  const config = {
    architecture, os: "linux",
    config: {
      Env: c.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
      ...(c.cmd ? { Cmd: c.cmd } : {}),
      ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
      Labels: { "io.duraplane.recipe": recipe.ref },
    },
    rootfs: { type: "layers", diff_ids: [diffID] },
    history: [{ created_by: `npm run images (${recipe.ref})` }],
  };
  const configDesc = await putBlob(layout, MEDIA.config, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2, mediaType: MEDIA.manifest, config: configDesc,
    layers: [{ mediaType: MEDIA.layer, digest: layerDigest, size: layerSize }],
  };
  const manifestDesc = await putBlob(layout, MEDIA.manifest, Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2, mediaType: MEDIA.index,
    manifests: [{ ...manifestDesc, platform: { architecture, os: "linux" }, annotations: refAnnotations(recipe.ref) }],
  };
  await writeFile(join(layout, "index.json"), JSON.stringify(index));
  await writeFile(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const archive = join(work, "image.tar");
  await run("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C", layout, "-cf", archive, "."]);
  return { manifestDigest: manifestDesc.digest, archive, layerSize };
}
