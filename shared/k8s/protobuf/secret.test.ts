/**
 * A core/v1 Secret and ConfigMap as protobuf (what `kubectl create secret` sends),
 * hand-built per k8s.io/api/core/v1/generated.proto; the real kubectl's
 * body is decoded end to end by test/e2e/secrets.test.ts.
 */
import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode";

type Bytes = number[];
const varint = (n: number): Bytes => {
  const out: Bytes = [];
  let v = n;
  do {
    const low = v & 0x7f;
    v >>>= 7;
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return out;
};
const len = (field: number, payload: Bytes): Bytes => [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
const bytes = (field: number, b: Bytes): Bytes => len(field, b);
const str = (field: number, text: string): Bytes => len(field, [...new TextEncoder().encode(text)]);
const msg = (field: number, ...fields: Bytes[]): Bytes => len(field, fields.flat());
const body = (raw: Bytes, kind = "Secret"): Uint8Array => new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, "v1"), str(2, kind)), ...len(2, raw)]);

describe("protobuf Secret and ConfigMap", () => {
  it("decodes a ConfigMap: data as strings, binaryData as base64, immutable", () => {
    const raw = [...msg(1, str(1, "cfg")), ...msg(2, str(1, "k"), str(2, "v")), ...msg(3, str(1, "b"), bytes(2, [0xff])), 0x20, 0x00];
    expect(decodeKubernetesProtobuf(body(raw, "ConfigMap"))).toStrictEqual({
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { k: "v" }, binaryData: { b: "/w==" }, immutable: false,
    });
  });

  it("decodes data as base64 (any bytes), stringData, type and immutable; skips unknown fields", () => {
    const raw = [
      ...msg(1, str(1, "db"), str(3, "team-a")),
      ...msg(2, str(1, "password"), bytes(2, [0x00, 0xff, 0x41])),
      ...msg(2, str(1, "empty")),
      ...str(3, "Opaque"),
      ...msg(4, str(1, "user"), str(2, "alice")),
      0x28, 0x01, // immutable = true
      ...str(9, "ignored"),
    ];
    expect(decodeKubernetesProtobuf(body(raw))).toStrictEqual({
      apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "team-a" },
      data: { password: "AP9B", empty: "" }, type: "Opaque", stringData: { user: "alice" }, immutable: true,
    });
  });
});
