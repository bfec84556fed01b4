/** ValidateConfigMap / ValidateConfigMapUpdate against upstream's rules and words. */
import { describe, expect, it } from "vitest";
import type { StatusCause } from "../../k8s/errors";
import { type ConfigMap, validateConfigMap } from "./configmap";

const cm = (extra: Partial<ConfigMap> = {}): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "a" }, ...extra });
const messages = (causes: StatusCause[]): string[] => causes.map((c) => `${c.field ?? ""}: ${c.message}`);

describe("ConfigMap", () => {
  it("accepts config keys in data and binaryData", () => {
    expect(validateConfigMap(cm({ data: { "app.properties": "a=b", EMPTY: "" }, binaryData: { "logo.png": "iVBORw==" } }))).toEqual([]);
  });

  it("refuses a key in both maps, bad keys and bad base64", () => {
    expect(messages(validateConfigMap(cm({ data: { k: "x", "a b": "" }, binaryData: { k: "eA==", bin: "!!" } })))).toEqual([
      "data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
      "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      "binaryData[bin]: Invalid value: \"!!\": illegal base64 data at input byte 0",
    ]);
  });

  it("counts UTF-8 bytes of data and decoded binaryData against 1 MiB", () => {
    const half = "x".repeat(512 * 1024);
    expect(validateConfigMap(cm({ data: { a: half, b: half } }))).toEqual([]);
    expect(messages(validateConfigMap(cm({ data: { a: half, b: half }, binaryData: { c: "eA==" } })))).toEqual([
      ": Too long: may not be more than 1048576 bytes",
    ]);
  });

  it("keeps an immutable ConfigMap's data and binaryData, and its immutability", () => {
    const old = cm({ data: { a: "1" }, binaryData: { b: "eA==" }, immutable: true });
    expect(validateConfigMap(cm({ data: { a: "1" }, binaryData: { b: "eA==" }, immutable: true }), old)).toEqual([]);
    expect(messages(validateConfigMap(cm({ data: { a: "2" }, immutable: false }), old))).toEqual([
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
      "binaryData: Forbidden: field is immutable when `immutable` is set",
    ]);
    expect(validateConfigMap(cm({ data: { a: "2" } }), cm({ data: { a: "1" } }))).toEqual([]);
  });
});
