import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/k8s/object";
import { changed } from "./write-rules";

const pod = (extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "p", namespace: "n", resourceVersion: "5", labels: { a: "1", b: "2" }, ...meta },
    spec: { containers: [{ name: "c", image: "busybox" }] },
    ...extra,
  }) as unknown as KubeObject;

describe("changed", () => {
  it("ignores resourceVersion, managedFields and the order of keys", () => {
    const reordered = { spec: { containers: [{ image: "busybox", name: "c" }] }, kind: "Pod", apiVersion: "v1",
      metadata: { labels: { b: "2", a: "1" }, namespace: "n", name: "p", resourceVersion: "9", managedFields: [{ manager: "x" }] } } as unknown as KubeObject;
    expect(changed(pod(), reordered)).toBe(false);
  });

  it("treats a member set to undefined as absent, as the stored JSON would", () => {
    expect(changed(pod(), pod({ status: undefined }))).toBe(false);
  });

  it("sees a change anywhere else: a label, the spec, the status, an array's order", () => {
    expect(changed(pod(), pod({}, { labels: { a: "1", b: "3" } }))).toBe(true);
    expect(changed(pod(), pod({ spec: { containers: [{ name: "c", image: "nginx" }] } }))).toBe(true);
    expect(changed(pod(), pod({ status: { phase: "Running" } }))).toBe(true);
    const two = (first: string, second: string) => pod({ spec: { containers: [{ name: first }, { name: second }] } });
    expect(changed(two("a", "b"), two("b", "a"))).toBe(true);
  });
});
