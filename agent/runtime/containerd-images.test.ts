/**
 * `npm run images` and the containerd ImageStore against the real daemon, in
 * a clean test namespace (runs with DURAPLANE_REAL_RUNTIMES=1).
 */
import { existsSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busyboxImage } from "../../scripts/images/busybox.ts";
import { buildImages } from "../../scripts/images/build.ts";
import { tempDir } from "../../test/e2e/temp-dir.ts";
import { REAL_RUNTIMES, sweepNamespace, testCtr } from "../test-support/containerd.ts";
import { ContainerdImageStore, ImageError, storedImageDigest } from "./containerd-images.ts";
import type { Ctr } from "./ctr.ts";

describe.skipIf(!REAL_RUNTIMES)("images in containerd", () => {
  let ctr: Ctr;
  beforeAll(async () => {
    ctr = await testCtr();
  });
  afterAll(async () => {
    if (ctr) await sweepNamespace(ctr);
  });

  it("npm run images builds busybox into a clean namespace, then skips it by digest", async () => {
    expect(await storedImageDigest(ctr, busyboxImage.ref)).toBeUndefined();
    const [first] = await buildImages({ ctr, recipes: [busyboxImage] });
    expect(first?.imported).toBe(true);
    expect(await storedImageDigest(ctr, busyboxImage.ref)).toBe(first?.digest);
    const [second] = await buildImages({ ctr, recipes: [busyboxImage] });
    expect(second).toMatchObject({ imported: false, digest: first?.digest });
  }, 60_000);

  it("rootfs unpacks the image once into the cache; Never and unreachable pulls fail with the kubelet's reasons", async () => {
    const store = new ContainerdImageStore(ctr, tempDir("images-cache"));
    const dir = await store.rootfs(busyboxImage.ref, "Never");
    expect(existsSync(join(dir, "bin", "busybox"))).toBe(true);
    expect(readlinkSync(join(dir, "bin", "sh"))).toBe("busybox");
    expect(await store.rootfs(busyboxImage.ref, "IfNotPresent")).toBe(dir);
    // Always on a localhost/ image the node built: no registry to ask, the local one is used.
    expect(await store.rootfs(busyboxImage.ref, "Always")).toBe(dir);
    const resolved = await store.resolve(busyboxImage.ref, "IfNotPresent");
    expect(resolved.config.Cmd).toEqual(["sh"]);
    await expect(store.rootfs("localhost/duraplane/absent:1", "Never")).rejects.toMatchObject({
      reason: "ErrImageNeverPull", message: 'Container image "localhost/duraplane/absent:1" is not present with pull policy of Never',
    });
    const pull = store.rootfs("localhost:1/duraplane/absent:1", "IfNotPresent");
    await expect(pull).rejects.toBeInstanceOf(ImageError);
    await expect(pull).rejects.toMatchObject({ reason: "ErrImagePull" });
  }, 60_000);
});
