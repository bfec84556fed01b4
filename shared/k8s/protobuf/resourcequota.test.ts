import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode";

// Bodies captured from the real kubectl v1.32.4 (POST /api/v1/namespaces/x/resourcequotas,
// Content-Type: application/vnd.kubernetes.protobuf) against a logging https server.
/** `kubectl create quota q --hard=pods=2,requests.memory=1Gi -n x` */
const CAPTURED_HARD =
  "azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRI/ChIKAXESABoBeCIAKgAyADgAQgASJwoLCgRwb2RzEgMKATIKGAoPcmVxdWVzdHMubWVtb3J5EgUKAzFHaRoAGgAiAA==";
/** `kubectl create quota q2 --hard=cpu=1 --scopes=BestEffort,NotTerminating -n x` */
const CAPTURED_SCOPES =
  "azhzAAoTCgJ2MRINUmVzb3VyY2VRdW90YRJBChMKAnEyEgAaAXgiACoAMgA4AEIAEigKCgoDY3B1EgMKATESCkJlc3RFZmZvcnQSDk5vdFRlcm1pbmF0aW5nGgAaACIA";

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

describe("protobuf ResourceQuota", () => {
  it("decodes kubectl create quota's body", () => {
    expect(decodeKubernetesProtobuf(fromBase64(CAPTURED_HARD))).toEqual({
      apiVersion: "v1", kind: "ResourceQuota",
      metadata: { name: "q", namespace: "x" },
      spec: { hard: { pods: "2", "requests.memory": "1Gi" } },
      status: {},
    });
  });

  it("decodes scopes", () => {
    expect(decodeKubernetesProtobuf(fromBase64(CAPTURED_SCOPES))).toEqual({
      apiVersion: "v1", kind: "ResourceQuota",
      metadata: { name: "q2", namespace: "x" },
      spec: { hard: { cpu: "1" }, scopes: ["BestEffort", "NotTerminating"] },
      status: {},
    });
  });
});
