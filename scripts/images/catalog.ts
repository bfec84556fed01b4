/**
 * @module
 * Every image `npm run images` builds, in build order: the busybox
 * container image, and the VM guest images (vm-guest.ts) — the kernelBoot
 * image and the containerDisk the libvirt runtime reads from containerd's
 * store, as virt-launcher reads them from the node's images.
 */
import { busyboxImage } from "./busybox.ts";
import type { ImageRecipe } from "./recipe.ts";
import { dataDiskImage, tinyVmImage } from "./vm-guest.ts";

/** The recipes, by ref. */
export const CATALOG: readonly ImageRecipe[] = [busyboxImage, tinyVmImage, dataDiskImage];
