/** ValidateSecret / ValidateSecretUpdate and the stringData fold, against upstream's rules and words. */
import { describe, expect, it } from "vitest";
import type { StatusCause } from "../../k8s/errors";
import { foldStringData, MAX_SECRET_SIZE, type Secret, validateSecret } from "./secret";

const secret = (extra: Partial<Secret> = {}): Secret => ({
  apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "a" }, ...extra,
});
const messages = (causes: StatusCause[]): string[] => causes.map((c) => `${c.field ?? ""}: ${c.message}`);

describe("Secret", () => {
  it("folds stringData into data as base64 (winning over data), never keeps it, and defaults type to Opaque", () => {
    const s = secret({ data: { a: "eA==", b: "eQ==" }, stringData: { b: "héllo", c: "" } });
    foldStringData(s);
    expect(s).toStrictEqual(secret({ data: { a: "eA==", b: "aMOpbGxv", c: "" }, type: "Opaque" }));
  });

  it("accepts an Opaque secret with config keys", () => {
    expect(validateSecret(secret({ type: "Opaque", data: { "key.name": "eA==", KEY_NAME: "", "key-name": "YWI=" } }))).toEqual([]);
  });

  it("refuses keys that are not config keys, with upstream's words", () => {
    expect(messages(validateSecret(secret({ data: { "a/b": "", "..x": "", ".": "" } })))).toEqual([
      "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      "data[..x]: Invalid value: \"..x\": must not start with '..'",
      "data[.]: Invalid value: \".\": must not be '.'",
    ]);
  });

  it("refuses a value that is not base64 without echoing it", () => {
    const got = messages(validateSecret(secret({ data: { k: "not base64!" } })));
    expect(got).toEqual(["data[k]: Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 3"]);
  });

  it("counts decoded bytes against the 1 MiB limit", () => {
    const chunk = "A".repeat(4 * Math.ceil(MAX_SECRET_SIZE / 3 / 2)); // about half the limit each, decoded
    expect(validateSecret(secret({ data: { a: chunk } }))).toEqual([]);
    expect(messages(validateSecret(secret({ data: { a: chunk, b: chunk, c: "QUFB" } })))).toEqual([
      "data: Too long: may not be more than 1048576 bytes",
    ]);
  });

  it("requires the keys of the well-known types", () => {
    expect(messages(validateSecret(secret({ type: "kubernetes.io/tls", data: { "tls.crt": "" } })))).toEqual(["data[tls.key]: Required value"]);
    expect(messages(validateSecret(secret({ type: "kubernetes.io/dockerconfigjson" })))).toEqual(["data[.dockerconfigjson]: Required value"]);
    expect(messages(validateSecret(secret({ type: "kubernetes.io/basic-auth" })))).toEqual(["data[username]: Required value", "data[password]: Required value"]);
    expect(validateSecret(secret({ type: "kubernetes.io/basic-auth", data: { password: "eA==" } }))).toEqual([]);
    expect(messages(validateSecret(secret({ type: "kubernetes.io/service-account-token" })))).toEqual([
      "metadata.annotations[kubernetes.io/service-account.name]: Required value",
    ]);
  });

  it("keeps type, and an immutable secret's data and immutability, on update", () => {
    const old = secret({ type: "Opaque", data: { a: "eA==" }, immutable: true });
    expect(validateSecret(secret({ type: "Opaque", data: { a: "eA==" }, immutable: true, metadata: { name: "s", namespace: "a", labels: { x: "y" } } }), old)).toEqual([]);
    expect(messages(validateSecret(secret({ type: "kubernetes.io/tls", data: { a: "eA==", "tls.crt": "", "tls.key": "" }, immutable: true }), old))).toEqual([
      "type: Invalid value: \"kubernetes.io/tls\": field is immutable",
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
    expect(messages(validateSecret(secret({ type: "Opaque", data: { a: "eA==" }, immutable: false }), old))).toEqual([
      "immutable: Forbidden: field is immutable when `immutable` is set",
    ]);
    // A mutable secret's data may change, and it may become immutable.
    expect(validateSecret(secret({ type: "Opaque", data: { b: "eQ==" }, immutable: true }), secret({ type: "Opaque", data: { a: "eA==" } }))).toEqual([]);
  });
});
