import { describe, expect, it } from "vitest";
import { requestInfo } from "./request-info";

const info = (method: string, path: string) => requestInfo(method, new URL(`https://h${path}`));

describe("requestInfo", () => {
  it("names the verb as the apiserver does", () => {
    expect(info("GET", "/api/v1/namespaces/a/pods").verb).toBe("list");
    expect(info("GET", "/api/v1/namespaces/a/pods?watch=true").verb).toBe("watch");
    expect(info("GET", "/api/v1/namespaces/a/pods/p").verb).toBe("get");
    expect(info("GET", "/api/v1/namespaces/a/pods/p?watch=true").verb).toBe("get");
    expect(info("POST", "/api/v1/namespaces/a/pods").verb).toBe("create");
    expect(info("PUT", "/api/v1/namespaces/a/pods/p").verb).toBe("update");
    expect(info("PATCH", "/api/v1/namespaces/a/pods/p/status").verb).toBe("patch");
    expect(info("DELETE", "/api/v1/namespaces/a/pods/p").verb).toBe("delete");
    expect(info("DELETE", "/api/v1/namespaces/a/pods").verb).toBe("deletecollection");
    expect(info("POST", "/webhooks/v1/nodes/n1/reports")).toEqual({ verb: "post" });
  });

  it("reads the object from the path, namespaces included", () => {
    expect(info("POST", "/api/v1/namespaces/a/pods/p/binding").objectRef).toEqual({ apiGroup: "", apiVersion: "v1", resource: "pods", namespace: "a", name: "p", subresource: "binding" });
    expect(info("PUT", "/api/v1/namespaces/a/status").objectRef).toEqual({ apiGroup: "", apiVersion: "v1", resource: "namespaces", name: "a", subresource: "status" });
    expect(info("DELETE", "/api/v1/namespaces/a").objectRef).toEqual({ apiGroup: "", apiVersion: "v1", resource: "namespaces", name: "a" });
    expect(info("PUT", "/apis/subresources.kubevirt.io/v1/namespaces/a/virtualmachines/vm/start").objectRef)
      .toEqual({ apiGroup: "subresources.kubevirt.io", apiVersion: "v1", resource: "virtualmachines", namespace: "a", name: "vm", subresource: "start" });
    expect(info("POST", "/apis/hosts.duraplane.io/v1/nodes/n1/rotate").objectRef).toMatchObject({ resource: "nodes", name: "n1", subresource: "rotate" });
  });
});
