/**
 * @module
 * The tiny VM and data disk images for real-runtime tests, built once into
 * a cache directory keyed by the recipes' source (so an edited init script
 * gets a fresh build, and an unchanged one is reused across runs).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DirectoryImageStore } from "../runtime/dir-images.ts";
import { buildIntoDirectory } from "../../scripts/images/build-directory.ts";
import { dataDiskImage, defaultCacheDir, tinyVmRecipe } from "../../scripts/images/vm-guest.ts";

/** Builds (or finds) both images and returns a store over them. */
export async function vmTestImages(): Promise<DirectoryImageStore> {
  const sources = ["vm-guest.ts", "vm-guest-init.ts"].map((f) => readFileSync(new URL(`../../scripts/images/${f}`, import.meta.url)));
  const key = createHash("sha256").update(Buffer.concat(sources)).digest("hex").slice(0, 12);
  const cache = defaultCacheDir();
  const root = join(cache, `images-${key}`);
  await buildIntoDirectory(tinyVmRecipe(cache), root);
  await buildIntoDirectory(dataDiskImage, root);
  return new DirectoryImageStore(root);
}
