/**
 * @module
 * The node's images, from containerd's store (namespace `duraplane`): is an
 * image here (pulling it as `imagePullPolicy` says), what its config says
 * (Entrypoint, Cmd, Env, WorkingDir, for the container mapping), and its
 * files unpacked once into a cache directory keyed by manifest digest (the
 * VM adapter reads a kernelBoot image's `/boot/*` and a containerDisk's
 * `/disk/*` from there, as virt-launcher does from the node's images).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Ctr, tableRows } from "./ctr.ts";
import type { ImageStore, PullPolicy } from "./images.ts";

/** Why an image cannot be had, with the kubelet's reason. */
export class ImageError extends Error {
  constructor(readonly reason: "ErrImageNeverPull" | "ErrImagePull" | "InvalidImageName", message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/** The parts of an OCI image config a container is made from. */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
}

/** A present image: its normalized ref, manifest digest and config. */
export interface ResolvedImage {
  ref: string;
  /** The manifest's digest (`imageID` is `ref-without-tag@digest`). */
  digest: string;
  config: ImageConfig;
}

/**
 * `busybox` → `docker.io/library/busybox:latest`, as containerd names images
 * (the reference grammar of distribution/reference, without validation beyond
 * what a name may contain).
 */
export function normalizeRef(ref: string): string {
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(ref)) throw new ImageError("InvalidImageName", `invalid image name "${ref}"`);
  const [name = "", digest] = ref.split("@");
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasDomain = first.includes(".") || first.includes(":") || first === "localhost";
  let full = hasDomain ? name : `docker.io/${slash < 0 ? `library/${name}` : name}`;
  if (!digest && !/:[^/]+$/.test(full)) full += ":latest";
  return digest ? `${full}@${digest}` : full;
}

/** The repository part of a ref (`localhost/duraplane/busybox`), for imageID. */
export function repositoryOf(ref: string): string {
  return ref.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
}

/** The manifest digest containerd stores for `ref`, or undefined when it has no such image. */
export async function storedImageDigest(ctr: Ctr, ref: string): Promise<string | undefined> {
  const out = await ctr.run(["images", "ls", `name==${ref}`]);
  return tableRows(out).find((row) => row[0] === ref)?.[2];
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { architecture?: string; os?: string };
}

const ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

function parseJson(text: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) throw new Error(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** containerd's store in one namespace, as an `ImageStore`. */
export class ContainerdImageStore implements ImageStore {
  private readonly unpacking = new Map<string, Promise<string>>();
  private readonly configs = new Map<string, ImageConfig>();

  /** `cacheDir` holds one unpacked rootfs per manifest digest. */
  constructor(private readonly ctr: Ctr, private readonly cacheDir: string) {}

  /** Makes sure `ref` is present as `policy` says, and describes it. */
  async resolve(image: string, policy: PullPolicy): Promise<ResolvedImage> {
    const ref = normalizeRef(image);
    let digest = await storedImageDigest(this.ctr, ref);
    if (policy === "Never" && !digest) {
      throw new ImageError("ErrImageNeverPull", `Container image "${image}" is not present with pull policy of Never`);
    }
    if (policy === "Always" || !digest) {
      try {
        await this.ctr.run(["images", "pull", ref], 5 * 60_000);
      } catch (err) {
        // Images under localhost/ are built on the node (npm run images): there is no registry to ask.
        if (!(digest && ref.startsWith("localhost/"))) {
          throw new ImageError("ErrImagePull", `failed to pull and unpack image "${ref}": ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      digest = await storedImageDigest(this.ctr, ref);
      if (!digest) throw new ImageError("ErrImagePull", `failed to pull image "${ref}": not in the store after the pull`);
    }
    return { ref, digest, config: await this.config(ref, digest) };
  }

  /** The image config of manifest `digest` (content-addressed, so cached for good). */
  private async config(ref: string, digest: string): Promise<ImageConfig> {
    const cached = this.configs.get(digest);
    if (cached) return cached;
    const manifest = await this.manifest(digest);
    const configDigest = (manifest.config as Descriptor | undefined)?.digest;
    if (!configDigest) throw new Error(`image ${ref}: manifest ${digest} has no config`);
    const config = (parseJson(await this.ctr.run(["content", "get", configDigest]), `config of ${ref}`).config as ImageConfig | undefined) ?? {};
    this.configs.set(digest, config);
    return config;
  }

  async rootfs(image: string, policy: PullPolicy): Promise<string> {
    const { digest } = await this.resolve(image, policy);
    const dir = join(this.cacheDir, digest.replace(":", "-"));
    if (existsSync(dir)) return dir;
    let pending = this.unpacking.get(dir);
    if (!pending) {
      pending = this.unpack(digest, dir).finally(() => this.unpacking.delete(dir));
      this.unpacking.set(dir, pending);
    }
    return pending;
  }

  /** The image manifest at `digest`, resolving an index to this platform's manifest. */
  private async manifest(digest: string): Promise<Record<string, unknown>> {
    const doc = parseJson(await this.ctr.run(["content", "get", digest]), `manifest ${digest}`);
    if (!Array.isArray(doc.manifests)) return doc;
    const arch = ARCH[process.arch] ?? process.arch;
    const entries = doc.manifests as Descriptor[];
    const pick = entries.find((m) => m.platform?.os === "linux" && m.platform.architecture === arch) ?? entries[0];
    if (!pick) throw new Error(`image index ${digest} lists no manifest`);
    return this.manifest(pick.digest);
  }

  /** Extracts every layer in order into a scratch dir, then renames it into place (whiteouts are not applied). */
  private async unpack(digest: string, dir: string): Promise<string> {
    const scratch = `${dir}.partial-${process.pid}`;
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    const layers = ((await this.manifest(digest)).layers ?? []) as Descriptor[];
    for (const layer of layers) {
      const z = layer.mediaType?.endsWith("gzip") ? "z" : layer.mediaType?.endsWith("zstd") ? "--zstd" : "";
      await pipeToTar(this.ctr, layer.digest, scratch, z);
    }
    await rename(scratch, dir);
    return dir;
  }
}

/** `ctr content get DIGEST | tar -x -C DIR`. */
function pipeToTar(ctr: Ctr, digest: string, dir: string, compression: string): Promise<void> {
  const flags = compression === "z" ? ["-xzf", "-"] : compression ? [compression, "-xf", "-"] : ["-xf", "-"];
  return new Promise((resolve, reject) => {
    const script = `"$0" --address "$1" -n "$2" content get "$3" | tar ${flags.join(" ")} --no-same-owner -C "$4"`;
    const child = spawn("bash", ["-c", `set -o pipefail; ${script}`, ctr.binary, ctr.address, ctr.namespace, digest, dir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`unpacking layer ${digest}: ${stderr.trim() || `exit ${code}`}`))));
  });
}
