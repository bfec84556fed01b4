import { describe, expect, it } from "vitest";
import { requestLabels } from "./request-labels";

const labelsOf = (method: string, path: string, contentType?: string): Record<string, string> => {
  const r = requestLabels(method, new URL(`https://x${path}`), contentType);
  return { ...Object.fromEntries(r.labels), inflight: r.inflightKind ?? "-" };
};

describe("request labels (kube-apiserver's)", () => {
  it("reports the verb as kube-apiserver does", () => {
    expect(labelsOf("GET", "/api/v1/namespaces/a/pods")).toMatchObject({ verb: "LIST", scope: "namespace", inflight: "readOnly" });
    expect(labelsOf("GET", "/api/v1/pods?watch=true")).toMatchObject({ verb: "WATCH", scope: "cluster", inflight: "-" });
    expect(labelsOf("GET", "/api/v1/namespaces/a/pods/p?watch=true")).toMatchObject({ verb: "GET", scope: "resource" });
    expect(labelsOf("POST", "/api/v1/namespaces/a/pods")).toMatchObject({ verb: "POST", inflight: "mutating" });
    expect(labelsOf("PUT", "/apis/apps/v1/namespaces/a/replicasets/r/scale")).toMatchObject({ verb: "PUT", group: "apps", resource: "replicasets", subresource: "scale" });
    expect(labelsOf("PATCH", "/api/v1/namespaces/a/pods/p", "application/apply-patch+yaml")).toMatchObject({ verb: "APPLY" });
    expect(labelsOf("PATCH", "/api/v1/namespaces/a/pods/p", "application/merge-patch+json")).toMatchObject({ verb: "PATCH" });
    expect(labelsOf("DELETE", "/api/v1/namespaces/a/pods")).toMatchObject({ verb: "DELETE", scope: "namespace" });
    expect(labelsOf("POST", "/api/v1/namespaces/a/pods/p/exec")).toMatchObject({ verb: "CONNECT", subresource: "exec", inflight: "-" });
    expect(labelsOf("GET", "/api/v1/namespaces/a/pods/p/log")).toMatchObject({ verb: "GET", subresource: "log", inflight: "-" });
    expect(labelsOf("PUT", "/apis/subresources.kubevirt.io/v1/namespaces/a/virtualmachines/vm/stop")).toMatchObject({
      verb: "PUT", group: "subresources.kubevirt.io", resource: "virtualmachines", subresource: "stop",
    });
  });

  it("marks dry runs", () => {
    expect(labelsOf("POST", "/api/v1/namespaces/a/pods?dryRun=All")).toMatchObject({ dry_run: "All" });
    expect(labelsOf("POST", "/api/v1/namespaces/a/pods")).toMatchObject({ dry_run: "" });
  });

  it("keeps made-up paths, subresources and methods out of the label values", () => {
    expect(labelsOf("GET", "/apis/made.up/v1/things")).toMatchObject({ verb: "GET", group: "", version: "", resource: "", scope: "" });
    expect(labelsOf("GET", "/api/v1/namespaces/a/pods/p/whatever")).toMatchObject({ resource: "pods", subresource: "unknown" });
    expect(labelsOf("BREW", "/version")).toMatchObject({ verb: "OTHER" });
    expect(labelsOf("GET", "/api/v2/pods")).toMatchObject({ resource: "" });
  });
});
