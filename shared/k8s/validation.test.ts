import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObjectMeta } from "./object";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSSubdomain,
  validateObjectMeta,
  type ObjectMetaValidationOptions,
} from "./validation";

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("name and label format checks", () => {
  it("spells the messages exactly as upstream", () => {
    // RegexError joins "'example', " items with " or ", so upstream's text has two spaces.
    expect(isQualifiedName(":invalid")).toEqual([NAME_PART]);
    expect(isDNS1123Subdomain("Bad_Name")).toEqual([SUBDOMAIN]);
    expect(isDNS1123Label("-a")).toEqual([LABEL]);
  });

  it.each<[string, string[]]>([
    ["example.com", []],
    ["a", []],
    ["a-b.c-d", []],
    ["", [SUBDOMAIN]],
    ["a.", [SUBDOMAIN]],
    ["UPPER", [SUBDOMAIN]],
    ["a".repeat(253), []],
    ["a".repeat(254), ["must be no more than 253 characters"]],
    ["-".repeat(254), ["must be no more than 253 characters", SUBDOMAIN]],
  ])("isDNS1123Subdomain(%j)", (value, expected) => {
    expect(isDNS1123Subdomain(value)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["web-0", []],
    ["0", []],
    ["a.b", ["must not contain dots"]],
    ["a_b", [LABEL]],
    ["", [LABEL]],
    ["a".repeat(63), []],
    ["a".repeat(64), ["must be no more than 63 characters"]],
  ])("isDNS1123Label(%j)", (value, expected) => {
    expect(isDNS1123Label(value)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["app", []],
    ["App_1.x-y", []],
    ["example.com/app", []],
    ["kubernetes.io/metadata.name", []],
    ["/app", ["prefix part must be non-empty"]],
    ["Example.com/app", ["prefix part " + SUBDOMAIN]],
    ["example.com/", ["name part must be non-empty", NAME_PART]],
    ["", ["name part must be non-empty", NAME_PART]],
    ["bad key", [NAME_PART]],
    ["-app", [NAME_PART]],
    ["a".repeat(63), []],
    ["a".repeat(64), ["name part must be no more than 63 characters"]],
    [
      "a/b/c",
      [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
  ])("isQualifiedName(%j)", (value, expected) => {
    expect(isQualifiedName(value)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["", []],
    ["v1.2_3-x", []],
    ["a b", [LABEL_VALUE]],
    ["-a", [LABEL_VALUE]],
    ["a".repeat(63), []],
    ["a".repeat(64), ["must be no more than 63 characters"]],
    ["é", [LABEL_VALUE]],
  ])("isValidLabelValue(%j)", (value, expected) => {
    expect(isValidLabelValue(value)).toEqual(expected);
  });

  it("masks a generateName's trailing dash the way upstream does", () => {
    expect(nameIsDNSSubdomain("web-", true)).toEqual([]);
    expect(nameIsDNSSubdomain("web-", false)).toEqual([SUBDOMAIN]);
    // maskTrailingDash drops two characters: "a_-" becomes "a" + "a".
    expect(nameIsDNSSubdomain("a_-", true)).toEqual([]);
  });
});

const NS: ObjectMetaValidationOptions = { namespaced: true };
const CLUSTER: ObjectMetaValidationOptions = { namespaced: false };

describe("validateObjectMeta", () => {
  it.each<[string, ObjectMeta, ObjectMetaValidationOptions, { field: string; reason: string; message: string }[]]>([
    ["a valid namespaced object", { name: "web", namespace: "default", labels: { app: "web" } }, NS, []],
    ["a valid cluster-scoped object", { name: "node-1" }, CLUSTER, []],
    ["generateName instead of name", { generateName: "web-", namespace: "default" }, NS, []],
    [
      "neither name nor generateName, no namespace",
      {},
      NS,
      [
        { field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" },
        { field: "metadata.namespace", reason: "FieldValueRequired", message: "Required value" },
      ],
    ],
    [
      "a bad name",
      { name: "Bad_Name", namespace: "default" },
      NS,
      [{ field: "metadata.name", reason: "FieldValueInvalid", message: `Invalid value: "Bad_Name": ${SUBDOMAIN}` }],
    ],
    [
      "a bad generateName",
      { generateName: "Web-", namespace: "default" },
      NS,
      [{ field: "metadata.generateName", reason: "FieldValueInvalid", message: `Invalid value: "Web-": ${SUBDOMAIN}` }],
    ],
    [
      "a name that must be a DNS label",
      { name: "a.b" },
      { namespaced: false, nameIsDNSLabel: true },
      [{ field: "metadata.name", reason: "FieldValueInvalid", message: 'Invalid value: "a.b": must not contain dots' }],
    ],
    [
      "a bad namespace",
      { name: "web", namespace: "my.ns" },
      NS,
      [{ field: "metadata.namespace", reason: "FieldValueInvalid", message: 'Invalid value: "my.ns": must not contain dots' }],
    ],
    [
      "a namespace on a cluster-scoped kind",
      { name: "n", namespace: "default" },
      CLUSTER,
      [{ field: "metadata.namespace", reason: "FieldValueForbidden", message: "Forbidden: not allowed on this type" }],
    ],
    [
      "a negative generation",
      { name: "n", generation: -1 },
      CLUSTER,
      [{ field: "metadata.generation", reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0" }],
    ],
    [
      "bad label key and value",
      { name: "n", labels: { "bad key": "ok", good: "bad value" } },
      CLUSTER,
      [
        { field: "metadata.labels", reason: "FieldValueInvalid", message: `Invalid value: "bad key": ${NAME_PART}` },
        { field: "metadata.labels", reason: "FieldValueInvalid", message: `Invalid value: "bad value": ${LABEL_VALUE}` },
      ],
    ],
    [
      "annotation keys are case-insensitive qualified names",
      { name: "n", annotations: { "Example.COM/Key": "x", "bad key": "" } },
      CLUSTER,
      [{ field: "metadata.annotations", reason: "FieldValueInvalid", message: `Invalid value: "bad key": ${NAME_PART}` }],
    ],
    [
      "annotations over 256KiB",
      { name: "n", annotations: { a: "x".repeat(256 * 1024) } },
      CLUSTER,
      [{ field: "metadata.annotations", reason: "FieldValueTooLong", message: "Too long: may not be more than 262144 bytes" }],
    ],
    [
      "bad and conflicting finalizers",
      { name: "n", finalizers: ["example.com/ok", "bad name", "orphan", "foregroundDeletion"] },
      CLUSTER,
      [
        { field: "metadata.finalizers", reason: "FieldValueInvalid", message: `Invalid value: "bad name": ${NAME_PART}` },
        {
          field: "metadata.finalizers",
          reason: "FieldValueInvalid",
          message:
            'Invalid value: []string{"example.com/ok", "bad name", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
        },
      ],
    ],
    [
      "an empty owner reference",
      { name: "n", ownerReferences: [{ apiVersion: "", kind: "", name: "", uid: "" }] },
      CLUSTER,
      [
        { field: "metadata.ownerReferences.apiVersion", reason: "FieldValueInvalid", message: 'Invalid value: "": version must not be empty' },
        { field: "metadata.ownerReferences.kind", reason: "FieldValueInvalid", message: 'Invalid value: "": kind must not be empty' },
        { field: "metadata.ownerReferences.name", reason: "FieldValueInvalid", message: 'Invalid value: "": name must not be empty' },
        { field: "metadata.ownerReferences.uid", reason: "FieldValueInvalid", message: 'Invalid value: "": uid must not be empty' },
      ],
    ],
    [
      "an owner apiVersion with an empty version",
      { name: "n", ownerReferences: [{ apiVersion: "apps/", kind: "ReplicaSet", name: "rs", uid: "u" }] },
      CLUSTER,
      [{ field: "metadata.ownerReferences.apiVersion", reason: "FieldValueInvalid", message: 'Invalid value: "apps/": version must not be empty' }],
    ],
    [
      "an Event as owner",
      { name: "n", ownerReferences: [{ apiVersion: "v1", kind: "Event", name: "e", uid: "u" }] },
      CLUSTER,
      [
        {
          field: "metadata.ownerReferences",
          reason: "FieldValueInvalid",
          message: 'Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner',
        },
      ],
    ],
  ])("%s", (_name, meta, opts, expected) => {
    expect(validateObjectMeta(meta, opts)).toEqual(expected);
  });

  it("allows one controller owner and rejects a second", () => {
    const one = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true };
    const two = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "2", controller: true };
    const notController = { ...two, name: "c", controller: false };
    expect(validateObjectMeta({ name: "p", ownerReferences: [one, notController] }, CLUSTER)).toEqual([]);
    const causes = validateObjectMeta({ name: "p", ownerReferences: [one, two] }, CLUSTER);
    expect(causes).toHaveLength(1);
    expect(causes[0]?.field).toBe("metadata.ownerReferences");
    expect(causes[0]?.message).toMatch(
      /^Invalid value: \[.*\]: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/,
    );
  });

  it("honours a custom field path (pod template metadata)", () => {
    expect(validateObjectMeta({ name: "x", labels: { "a b": "c" } }, { namespaced: false, fieldPath: "spec.template.metadata" })).toEqual([
      { field: "spec.template.metadata.labels", reason: "FieldValueInvalid", message: `Invalid value: "a b": ${NAME_PART}` },
    ]);
  });
});

describe("isDNS1123Subdomain's scan", () => {
  // Upstream's expression, which the hand-written scan replaces on the hot path.
  const upstream = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  const cases = ["", "a", "-", ".", "a.", ".a", "a..b", "a-.b", "a.-b", "a-b.c-d", "0", "a-", "-a", "A", "a_b", "ab.cd.ef", "a.b.", "x--y"];

  it("accepts exactly what upstream's expression accepts", () => {
    for (const value of cases) expect([value, isDNS1123Subdomain(value).length === 0]).toEqual([value, upstream.test(value)]);
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z0-9._-]{0,20}$/), (value) => (isDNS1123Subdomain(value).length === 0) === upstream.test(value)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (value) => (isDNS1123Subdomain(value).length === 0) === upstream.test(value)), { numRuns: 500 });
  });

  it("tells a label from a subdomain by its dots as before", () => {
    expect(isDNS1123Label("a.b")).toEqual(["must not contain dots"]);
    expect(isDNS1123Label("a..b")[0]).toMatch(/^a lowercase RFC 1123 label/);
  });
});
