/**
 * A map key named `__proto__` (labels, annotations, nodeSelector, …) is a
 * key upstream validates and refuses (it is not a qualified name). A plain
 * JavaScript object cannot hold it as data, so decoding would drop it — or,
 * with an object value, make it the map's prototype — and the write would
 * answer 2xx for something it did not store. Every write path answers 422
 * naming the map, and stores nothing.
 */
import { describe, expect, it } from "vitest";
import { api, namespace, pod } from "./helpers";

const MERGE = { "content-type": "application/merge-patch+json" };
const SMP = { "content-type": "application/strategic-merge-patch+json" };
const JSONPATCH = { "content-type": "application/json-patch+json" };
const APPLY = { "content-type": "application/apply-patch+yaml" };

/** JSON text with a `__proto__` key (JSON.stringify of an object literal cannot make one). */
function podWithKey(name: string, where: "labels" | "annotations" | "nodeSelector", value: string): string {
  const base = JSON.stringify(pod(name));
  const obj = JSON.parse(base) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  const marker = `"__marker__"`;
  if (where === "nodeSelector") obj.spec["nodeSelector"] = { __marker__: 1 };
  else obj.metadata[where] = { __marker__: 1 };
  return JSON.stringify(obj).replace(`${marker}:1`, `"__proto__":${value}`);
}

function expectRefused(res: { status: number; body: Record<string, unknown> }, field: string): void {
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ kind: "Status", reason: "Invalid" });
  const causes = (res.body["details"] as { causes: { field: string; message: string }[] }).causes;
  expect(causes.some((c) => c.field === field && c.message.includes("__proto__"))).toBe(true);
}

describe("a __proto__ map key", () => {
  for (const where of ["labels", "annotations", "nodeSelector"] as const) {
    const field = where === "nodeSelector" ? "spec.nodeSelector" : `metadata.${where}`;
    for (const value of [`"x"`, `{"a":"b"}`]) {
      it(`is refused with 422 in a create's ${where} (value ${value})`, async () => {
        const ns = await namespace();
        const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, podWithKey("p", where, value));
        expectRefused(res, field);
        expect((await api("GET", `/api/v1/namespaces/${ns}/pods/p`)).status).toBe(404);
      });
    }
  }

  it("is refused in a YAML body too", async () => {
    const ns = await namespace();
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: y\n  annotations:\n    __proto__: x\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, yaml, { "content-type": "application/yaml" });
    expectRefused(res, "metadata.annotations");
  });

  it("is refused by an update, a merge patch, a strategic merge patch, a JSON patch and an apply, leaving the object as it was", async () => {
    const ns = await namespace();
    const path = `/api/v1/namespaces/${ns}/pods/p`;
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("p"))).status).toBe(201);
    const before = await api<{ metadata: { resourceVersion: string; labels?: Record<string, string> } }>("GET", path);

    expectRefused(await api("PUT", path, podWithKey("p", "labels", `"x"`)), "metadata.labels");
    expectRefused(await api("PATCH", path, `{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}`, MERGE), "metadata.labels");
    expectRefused(await api("PATCH", path, `{"metadata":{"labels":{"__proto__":"x"}}}`, SMP), "metadata.labels");
    expectRefused(
      await api("PATCH", path, `[{"op":"add","path":"/metadata/annotations","value":{"__proto__":"x"}}]`, JSONPATCH),
      "metadata.annotations",
    );
    const applied = await api(
      "PATCH",
      `${path}?fieldManager=t&force=true`,
      `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"__proto__":"x"}}}`,
      APPLY,
    );
    expectRefused(applied, "metadata.labels");

    const after = await api<{ metadata: { resourceVersion: string; labels?: Record<string, string> } }>("GET", path);
    expect(after.body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
    expect(Object.getPrototypeOf(after.body.metadata.labels ?? {})).toBe(Object.prototype);
  });
});
