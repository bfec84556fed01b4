/**
 * @module
 * One image `npm run images` builds on this machine: nothing is downloaded
 * at build or test time; the contents come from Debian packages already on
 * the host (busybox-static, the linux-image package's kernel).
 */

/** How to make one image. */
export interface ImageRecipe {
  /** e.g. `localhost/duraplane/busybox:latest`. */
  ref: string;
  /** Fills the empty directory `rootfs` with the image's files. */
  build(rootfs: string): Promise<void>;
  /** The OCI image config's `Cmd`/`Entrypoint`/`Env`/`WorkingDir`, when the image is meant to be run. */
  config?: { cmd?: string[]; entrypoint?: string[]; env?: string[]; workingDir?: string };
}
