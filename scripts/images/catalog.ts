/**
 * @module
 * Every image `npm run images` builds, in build order. The VM guest images
 * (the kernelBoot image and the containerDisk) join this list from
 * vm-guest.ts.
 */
import { busyboxImage } from "./busybox.ts";
import type { ImageRecipe } from "./recipe.ts";

/** The recipes, by ref. */
export const CATALOG: readonly ImageRecipe[] = [busyboxImage];
