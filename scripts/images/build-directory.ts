/**
 * @module
 * Builds a recipe into `<root>/<image dir name>/` once (what the directory
 * `ImageStore` reads); later calls find the finished directory and return.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { IMAGE_DONE_MARKER, imageDirName } from "../../agent/runtime/dir-images.ts";
import type { ImageRecipe } from "./recipe.ts";

/** The image's directory, built if it is not there yet. */
export async function buildIntoDirectory(recipe: ImageRecipe, root: string): Promise<string> {
  const dir = join(root, imageDirName(recipe.ref));
  if (existsSync(join(dir, IMAGE_DONE_MARKER))) return dir;
  const tmp = `${dir}.building-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await recipe.build(tmp);
  await writeFile(join(tmp, IMAGE_DONE_MARKER), `${recipe.ref}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}
