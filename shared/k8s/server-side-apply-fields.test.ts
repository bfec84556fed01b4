import { describe, expect, it } from "vitest";
import { compareObjects } from "./object-fields";
import { type FieldManager, type ManagedFieldsEntry, managerFromUserAgent, recordUpdate } from "./managed-fields";
import { requestedEntries } from "./managed-fields-request";
import type { JsonObject } from "./object";
import { applyConfiguration, createdByApply, type ApplyOptions } from "./server-side-apply";
import { podPatchMeta } from "./strategic-merge-patch-meta";
import { apiErrorOf } from "../../test/api-error";

const meta = podPatchMeta("spec.template.spec");
const T0 = "2026-01-01T00:00:00Z";
const T1 = "2026-01-01T00:01:00Z";

const applier = (manager: string, force = false, time = T1): ApplyOptions => ({
  who: { manager, operation: "Apply", apiVersion: "apps/v1", subresource: "" }, force, scope: "main", time,
});
const updater = (manager: string, subresource = ""): FieldManager => ({ manager, operation: "Update", apiVersion: "apps/v1", subresource });

function deployment(spec: JsonObject, labels: Record<string, string> | null = { app: "web" }): JsonObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", ...(labels ? { labels } : {}) }, spec };
}
const containers = (...list: JsonObject[]) => ({ template: { spec: { containers: list } } });

/** The object after an apply, with its managedFields in place (what the store keeps). */
function applied(live: JsonObject | undefined, config: JsonObject, opts: ApplyOptions): JsonObject {
  if (live === undefined) return { ...config, metadata: { ...(config.metadata as JsonObject), managedFields: createdByApply(config, meta, opts) as unknown as JsonObject[] } };
  const result = applyConfiguration(live, config, meta, opts);
  return { ...result.object, metadata: { ...(result.object.metadata as JsonObject), managedFields: result.managedFields as unknown as JsonObject[] } };
}

/** The object after an update by `who` to `next`. */
function updated(live: JsonObject, next: JsonObject, who: FieldManager): JsonObject {
  const cmp = compareObjects(live, next, meta, who.subresource === "status" ? "status" : "main");
  const entries = recordUpdate(entriesOf(live), cmp, who, T1).entries;
  return { ...next, metadata: { ...(next.metadata as JsonObject), managedFields: entries as unknown as JsonObject[] } };
}

const base0 = (): JsonObject => deployment({ replicas: 1 });
const entriesOf = (obj: JsonObject) => ((obj.metadata as JsonObject).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const managers = (obj: JsonObject) => entriesOf(obj).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);
const conflictOf = apiErrorOf;

describe("server-side apply with field managers", () => {
  const base = deployment({ replicas: 2, ...containers({ name: "c", image: "nginx", env: [{ name: "A", value: "1" }] }) });

  it("the applier owns exactly the applied fields", () => {
    const obj = applied(undefined, base, applier("kubectl", false, T0));
    expect(entriesOf(obj)).toEqual([{
      manager: "kubectl", operation: "Apply", apiVersion: "apps/v1", time: T0, fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:template": { "f:spec": { "f:containers": { 'k:{"name":"c"}': {
            ".": {}, "f:name": {}, "f:image": {}, "f:env": { 'k:{"name":"A"}': { ".": {}, "f:name": {}, "f:value": {} } },
          } } } },
        },
      },
    }]);
  });

  it("an update takes the fields it changes; a changed value applied again conflicts, with upstream's message", () => {
    let obj = applied(undefined, base, applier("kubectl", false, T0));
    obj = updated(obj, { ...obj, spec: { ...(obj.spec as JsonObject), replicas: 5 } }, updater("kubectl-scale", "scale"));
    expect(managers(obj)).toEqual(["kubectl/Apply", "kubectl-scale/Update/scale"]);
    expect(entriesOf(obj)[1]?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(entriesOf(obj)[0]?.fieldsV1).not.toHaveProperty(["f:spec", "f:replicas"]);
    const err = conflictOf(() => applyConfiguration(obj, base, meta, applier("kubectl")));
    expect(err.code).toBe(409);
    expect(err.reason).toBe("Conflict");
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas');
    expect(err.details?.causes).toEqual([{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-scale" with subresource "scale" using apps/v1', field: ".spec.replicas" }]);
  });

  it("several conflicts are listed per manager, managers in order", () => {
    let obj = applied(undefined, base, applier("kubectl", false, T0));
    obj = updated(obj, deployment({ replicas: 3, ...containers({ name: "c", image: "nginx:2", env: [{ name: "A", value: "1" }] }) }), updater("kubectl-edit"));
    obj = updated(obj, deployment({ replicas: 3, ...containers({ name: "c", image: "nginx:2", env: [{ name: "A", value: "1" }] }) }, { app: "other" }), updater("a-labeler"));
    const err = conflictOf(() => applyConfiguration(obj, base, meta, applier("kubectl")));
    expect(err.message).toBe([
      "Apply failed with 3 conflicts: conflicts with \"a-labeler\" using apps/v1:",
      "- .metadata.labels.app",
      "conflicts with \"kubectl-edit\" using apps/v1:",
      "- .spec.replicas",
      "- .spec.template.spec.containers[name=\"c\"].image",
    ].join("\n"));
    expect(err.details?.causes?.map((c) => c.field)).toEqual([".metadata.labels.app", ".spec.replicas", '.spec.template.spec.containers[name="c"].image']);
  });

  it("force takes the fields from the other manager", () => {
    let obj = applied(undefined, base, applier("kubectl", false, T0));
    obj = updated(obj, { ...obj, spec: { ...(obj.spec as JsonObject), replicas: 5 } }, updater("kubectl-scale", "scale"));
    obj = applied(obj, base, applier("kubectl", true));
    expect((obj.spec as JsonObject).replicas).toBe(2);
    expect(managers(obj)).toEqual(["kubectl/Apply"]);
    expect(entriesOf(obj)[0]?.time).toBe(T1);
  });

  it("the same value owned by another manager is shared, not a conflict", () => {
    let obj = applied(undefined, base, applier("kubectl", false, T0));
    obj = applied(obj, deployment({ replicas: 2 }, null), applier("other"));
    // Entries in upstream's order: appliers by time, the one without a time (it changed nothing) first.
    expect(managers(obj)).toEqual(["other/Apply", "kubectl/Apply"]);
    expect(entriesOf(obj)[0]?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    // The first applier drops replicas: the other still owns it, so it stays.
    obj = applied(obj, deployment(containers({ name: "c", image: "nginx", env: [{ name: "A", value: "1" }] })), applier("kubectl"));
    expect((obj.spec as JsonObject).replicas).toBe(2);
  });

  it("fields the applier omits now are removed: map entries, keyed elements, nested keyed elements", () => {
    let obj = applied(undefined, deployment({ replicas: 2, paused: false, ...containers(
      { name: "c", image: "nginx", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }, { name: "side", image: "busybox" },
    ) }, { app: "web", tier: "front" }), applier("kubectl", false, T0));
    obj = applied(obj, deployment({ replicas: 2, ...containers({ name: "c", image: "nginx", env: [{ name: "A", value: "1" }] }) }), applier("kubectl"));
    expect((obj.metadata as JsonObject).labels).toEqual({ app: "web" });
    expect(obj.spec).toEqual({ replicas: 2, ...containers({ name: "c", image: "nginx", env: [{ name: "A", value: "1" }] }) });
  });

  it("fields another manager owns, or nobody applied, stay; set values go like elements", () => {
    const withFinalizers = (finalizers: string[]) => ({ ...base, metadata: { name: "web", labels: { app: "web" }, finalizers } });
    let obj = applied(undefined, withFinalizers(["a/x", "a/y"]), applier("kubectl", false, T0));
    // A controller adds a field nobody applied and a finalizer of its own.
    obj = updated(obj, { ...obj, metadata: { ...(obj.metadata as JsonObject), finalizers: ["a/x", "a/y", "ctl/z"] }, spec: { ...(obj.spec as JsonObject), minReadySeconds: 5 } }, updater("controller"));
    const { replicas: _dropped, ...spec } = base.spec as JsonObject;
    obj = applied(obj, { ...withFinalizers(["a/x"]), spec }, applier("kubectl"));
    expect((obj.metadata as JsonObject).finalizers).toEqual(["a/x", "ctl/z"]);
    expect((obj.spec as JsonObject).minReadySeconds).toBe(5);
    expect((obj.spec as JsonObject).replicas).toBeUndefined();
  });

  it("an apply that changes nothing keeps the applier's time; a new sharer gets no time", () => {
    const obj = applied(undefined, base, applier("kubectl", false, T0));
    const again = applyConfiguration(obj, base, meta, applier("kubectl"));
    expect(again.managedFields).toEqual(entriesOf(obj));
    const shared = applyConfiguration(obj, deployment({ replicas: 2 }, null), meta, applier("other"));
    expect(shared.managedFields.find((e) => e.manager === "other")?.time).toBeUndefined();
  });

  it("a /status update records an entry with subresource status and owns only status", () => {
    const obj = applied(undefined, base, applier("kubectl", false, T0));
    const next = updated(obj, { ...obj, status: { replicas: 2, conditions: [{ type: "Available", status: "True" }] } }, updater("kube-controller-manager", "status"));
    const entry = entriesOf(next).find((e) => e.subresource === "status");
    expect(entry).toMatchObject({ manager: "kube-controller-manager", operation: "Update", subresource: "status", time: T1 });
    expect(entry?.fieldsV1).toEqual({ "f:status": { "f:replicas": {}, "f:conditions": {} } });
  });
});

describe("upgrading from client-side apply", () => {
  const csa = (replicas: number, lastApplied: JsonObject) => {
    const obj = deployment({ replicas, ...containers({ name: "c", image: "nginx" }) });
    (obj.metadata as JsonObject).annotations = { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(lastApplied) };
    return updated({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } }, obj, updater("kubectl-client-side-apply"));
  };
  const config = (replicas: number) => deployment({ replicas, ...containers({ name: "c", image: "nginx" }) });

  it("kubectl takes over the fields the last-applied annotation lists with their live values", () => {
    const live = csa(2, config(2));
    const result = applyConfiguration(live, config(5), meta, applier("kubectl"));
    expect((result.object.spec as JsonObject).replicas).toBe(5);
    // Another manager name is not upgraded.
    expect(conflictOf(() => applyConfiguration(live, config(5), meta, applier("other"))).code).toBe(409);
  });

  it("a field changed since the client-side apply still conflicts", () => {
    const live = csa(3, config(2));
    expect(conflictOf(() => applyConfiguration(live, config(5), meta, applier("kubectl"))).message).toContain(".spec.replicas");
  });
});

describe("Update entries are capped, as upstream", () => {
  it("beyond 10 Update managers the oldest are merged into ancient-changes", () => {
    let obj = applied(undefined, base0(), applier("kubectl", false, T0));
    // Twelve managers, a minute apart, each adding an annotation (m0 creates the map, so owns it too).
    for (let i = 0; i < 12; i++) {
      const metadata = obj.metadata as JsonObject;
      const next = { ...obj, metadata: { ...metadata, annotations: { ...(metadata.annotations as JsonObject | undefined), [`a${i}`]: "x" } } };
      const cmp = compareObjects(obj, next, meta, "main");
      const entries = recordUpdate(entriesOf(obj), cmp, updater(`m${i}`), `2026-01-01T00:${10 + i}:00Z`).entries;
      obj = { ...next, metadata: { ...next.metadata, managedFields: entries as unknown as JsonObject[] } };
    }
    const updates = entriesOf(obj).filter((e) => e.operation === "Update");
    expect(updates).toHaveLength(10);
    const ancient = updates.find((e) => e.manager === "ancient-changes");
    expect(ancient?.fieldsV1).toEqual({ "f:metadata": { "f:annotations": { ".": {}, "f:a0": {}, "f:a1": {}, "f:a2": {} } } });
    expect(ancient?.time).toBe("2026-01-01T00:12:00Z");
    expect(updates.map((e) => e.manager)).not.toContain("m0");
  });
});

describe("managerFromUserAgent", () => {
  it("is the user agent up to its first slash, printable, at most 128 bytes", () => {
    expect(managerFromUserAgent("kubectl/v1.32.4 (linux/amd64) kubernetes/abc")).toBe("kubectl");
    expect(managerFromUserAgent("Mozilla/5.0 (X11)")).toBe("Mozilla");
    expect(managerFromUserAgent(null)).toBe("");
    expect(managerFromUserAgent("a\u0007b/1")).toBe("ab");
    expect(managerFromUserAgent("é".repeat(100))).toBe("é".repeat(64));
  });
});

describe("managedFields sent by a client", () => {
  it("[{}] clears them; entries with no fields are dropped", () => {
    expect(requestedEntries([{}], "Pod", "p", "")).toEqual([]);
  });

  it("refuses what is no valid entry with 422 on the field", () => {
    const bad = (value: unknown) => conflictOf(() => requestedEntries(value as JsonObject[], "Pod", "p", ""));
    const op = bad([{ manager: "m", operation: "Merge", fieldsV1: { "f:spec": {} } }]);
    expect(op.code).toBe(422);
    expect(op.details?.causes?.[0]?.field).toBe("metadata.managedFields[0].operation");
    expect(bad([{ manager: "m", operation: "Update", fieldsV1: { "x:spec": {} } }]).details?.causes?.[0]?.field).toBe("metadata.managedFields[0].fieldsV1");
    expect(bad([{ manager: "m", operation: "Update", fieldsV1: "f:spec" }]).code).toBe(422);
    expect(bad([{ manager: "m".repeat(129), operation: "Update", fieldsV1: { "f:a": {} } }]).details?.causes?.[0]?.field).toBe("metadata.managedFields[0].manager");
    expect(bad("nope").code).toBe(422);
  });
});
