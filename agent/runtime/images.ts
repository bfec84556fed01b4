/**
 * @module
 * Where a real adapter finds the files inside an OCI image. The container
 * runtime runs images directly; the VM adapter, like virt-launcher, reads a
 * `kernelBoot` image's kernel and initrd and a `containerDisk` image's disk
 * under `/disk/` from the node's image store. One interface, two stores:
 * containerd's (production) and a plain directory per image (unit tests).
 */

/** `imagePullPolicy`, as upstream names it. */
export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/** Read access to images on this host. */
export interface ImageStore {
  /**
   * Makes sure `ref` is present (pulling it as `policy` says) and returns a
   * directory holding its unpacked root filesystem, read-only to the caller.
   * Rejects with a message naming the image when it cannot be had.
   */
  rootfs(ref: string, policy: PullPolicy): Promise<string>;
}
