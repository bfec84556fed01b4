import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { noExecuteDeadline } from "./taint-eviction";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const node = (taints: object[]): KubeObject => ({ apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { taints } });
const pod = (tolerations: object[] = []): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { tolerations } });
const maint = { key: "maint", value: "x", effect: "NoExecute", timeAdded: "2026-03-01T11:59:00Z" };

describe("noExecuteDeadline (the taint manager's rule)", () => {
  it.each<[string, object[], object[], "now" | number | undefined]>([
    ["no NoExecute taint: stays", [{ key: "maint", effect: "NoSchedule" }], [], undefined],
    ["untolerated: goes now", [maint], [], "now"],
    ["tolerated for ever: stays", [maint], [{ key: "maint", operator: "Exists" }], undefined],
    ["tolerated for 300 s from timeAdded", [maint], [{ key: "maint", operator: "Equal", value: "x", tolerationSeconds: 300 }], NOW + 240_000],
    ["the smallest tolerationSeconds wins", [maint], [{ operator: "Exists", tolerationSeconds: 600 }, { key: "maint", operator: "Exists", effect: "NoExecute", tolerationSeconds: 120 }], NOW + 60_000],
    ["expired: goes now", [maint], [{ key: "maint", operator: "Exists", tolerationSeconds: 30 }], "now"],
    ["one of two taints untolerated: goes now", [maint, { key: "other", effect: "NoExecute" }], [{ key: "maint", operator: "Exists" }], "now"],
    ["a wrong value does not tolerate", [maint], [{ key: "maint", value: "y" }], "now"],
  ])("%s", (_, taints, tolerations, want) => {
    expect(noExecuteDeadline(node(taints), pod(tolerations), NOW)).toBe(want);
  });
});
