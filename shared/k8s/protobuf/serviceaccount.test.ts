/**
 * The protobuf bodies kubectl 1.32 sends for `kubectl create serviceaccount`
 * and `kubectl create token` (captured from the real kubectl against a
 * logging server), decoded into the JSON the same requests would carry.
 */
import { describe, expect, it } from "vitest";
import { bytesFromBase64 } from "../base64";
import { ApiError } from "../errors";
import { decodeKubernetesProtobuf } from "./decode";

/** `kubectl create serviceaccount ci -n a`. */
const CREATE_SERVICEACCOUNT = "azhzAAoUCgJ2MRIOU2VydmljZUFjY291bnQSFQoTCgJjaRIAGgFhIgAqADIAOABCABoAIgA=";
/** `kubectl create token ci -n a --duration=1h`. */
const CREATE_TOKEN_1H = "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIdChAKABIAGgAiACoAMgA4AEIAEgMgkBwaBAoAEgAaACIA";
/** `kubectl create token ci -n a --bound-object-kind=Pod --bound-object-name=p1 --bound-object-uid=u-1 --audience=aud1 --audience=aud2`. */
const CREATE_TOKEN_BOUND =
  "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBI6ChAKABIAGgAiACoAMgA4AEIAEiAKBGF1ZDEKBGF1ZDIaEgoDUG9kEgJ2MRoCcDEiA3UtMRoECgASABoAIgA=";

describe("protobuf ServiceAccount and TokenRequest bodies", () => {
  it("decodes kubectl create serviceaccount", () => {
    expect(decodeKubernetesProtobuf(bytesFromBase64(CREATE_SERVICEACCOUNT))).toEqual({
      apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci", namespace: "a" },
    });
  });

  it("decodes kubectl create token --duration=1h", () => {
    expect(decodeKubernetesProtobuf(bytesFromBase64(CREATE_TOKEN_1H))).toEqual({
      apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata: {}, spec: { expirationSeconds: 3600 }, status: {},
    });
  });

  it("decodes audiences and a bound object", () => {
    expect(decodeKubernetesProtobuf(bytesFromBase64(CREATE_TOKEN_BOUND))).toEqual({
      apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata: {}, status: {},
      spec: { audiences: ["aud1", "aud2"], boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p1", uid: "u-1" } },
    });
  });

  it("decodes secrets, imagePullSecrets and automountServiceAccountToken", () => {
    // metadata{name:"x"}, secrets[{kind:"Secret",name:"s"}], imagePullSecrets[{name:"r"}], automount=false
    const raw = [0x0a, 0x03, 0x0a, 0x01, 0x78, 0x12, 0x0b, 0x0a, 0x06, ...new TextEncoder().encode("Secret"), 0x1a, 0x01, 0x73,
      0x1a, 0x03, 0x0a, 0x01, 0x72, 0x20, 0x00];
    const typeMeta = [0x0a, 0x02, 0x76, 0x31, 0x12, 0x0e, ...new TextEncoder().encode("ServiceAccount")];
    const body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "x" },
      secrets: [{ kind: "Secret", name: "s" }], imagePullSecrets: [{ name: "r" }], automountServiceAccountToken: false,
    });
  });

  it("refuses a truncated TokenRequest with 400", () => {
    const bytes = bytesFromBase64(CREATE_TOKEN_1H);
    const cut = bytes.slice(0, bytes.length - 5);
    expect(() => decodeKubernetesProtobuf(cut)).toThrow(ApiError);
    try {
      decodeKubernetesProtobuf(cut);
    } catch (err) {
      expect((err as ApiError).code).toBe(400);
    }
  });
});
