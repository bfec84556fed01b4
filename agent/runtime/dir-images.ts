/**
 * @module
 * An `ImageStore` over a plain directory: each image is `<root>/<ref with
 * every character outside [A-Za-z0-9._-] turned into _>/`, holding its root
 * filesystem. Nothing is pulled; tests and `--image-dir` fill it by building
 * the recipes of scripts/images (see scripts/images/build-directory.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ImageStore, PullPolicy } from "./images.ts";

/** The file that marks an image directory as completely built. */
export const IMAGE_DONE_MARKER = ".duraplane-image";

/** The directory name of `ref` inside a store. */
export function imageDirName(ref: string): string {
  return ref.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Images as directories under `root`. */
export class DirectoryImageStore implements ImageStore {
  constructor(readonly root: string) {}

  async rootfs(ref: string, _policy: PullPolicy): Promise<string> {
    const dir = join(this.root, imageDirName(ref));
    if (!existsSync(join(dir, IMAGE_DONE_MARKER))) {
      throw new Error(`image "${ref}" is not in ${this.root} (expected ${dir}; build it with npm run images)`);
    }
    return dir;
  }
}
