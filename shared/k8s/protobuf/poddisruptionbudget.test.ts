import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode";

const utf8 = new TextEncoder();
const len = (n: number, bytes: number[]): number[] => [(n << 3) | 2, bytes.length, ...bytes];
const str = (n: number, s: string): number[] => len(n, [...utf8.encode(s)]);
const varint = (n: number, v: number): number[] => [n << 3, v];

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...len(1, [...str(1, apiVersion), ...str(2, kind)]), ...len(2, raw)]);
}

describe("protobuf policy/v1 bodies kubectl sends", () => {
  it("decodes `kubectl create pdb web --selector=app=web --min-available=50%`", () => {
    const selector = len(1, [...str(1, "app"), ...str(2, "web")]);
    const spec = [...len(1, [...varint(1, 1), ...str(3, "50%")]), ...len(2, selector), ...str(4, "AlwaysAllow")];
    const body = envelope("policy/v1", "PodDisruptionBudget", [...len(1, str(1, "web")), ...len(2, spec), ...len(3, [])]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web" },
      spec: { minAvailable: "50%", selector: { matchLabels: { app: "web" } }, unhealthyPodEvictionPolicy: "AlwaysAllow" }, status: {},
    });
  });

  it("decodes an integer maxUnavailable", () => {
    const spec = len(3, [...varint(1, 0), ...varint(2, 2)]);
    expect(decodeKubernetesProtobuf(envelope("policy/v1", "PodDisruptionBudget", len(2, spec))).spec).toEqual({ maxUnavailable: 2 });
  });

  it("decodes the Eviction kubectl drain posts, with its DeleteOptions", () => {
    const deleteOptions = [...varint(1, 5), ...len(2, str(2, "42")), ...str(4, "Foreground"), ...str(5, "All")];
    const body = envelope("policy/v1", "Eviction", [...len(1, [...str(1, "p"), ...str(3, "ns")]), ...len(2, deleteOptions)]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p", namespace: "ns" },
      deleteOptions: { gracePeriodSeconds: 5, preconditions: { resourceVersion: "42" }, propagationPolicy: "Foreground", dryRun: ["All"] },
    });
  });
});
