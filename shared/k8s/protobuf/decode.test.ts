import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { decodeKubernetesProtobuf } from "./decode";

// Bodies captured from the real kubectl v1.32.4 (POST /api/v1/namespaces,
// Content-Type: application/vnd.kubernetes.protobuf) against a logging https server.
/** `kubectl create namespace foo` */
const CAPTURED_CREATE_FOO = "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDZm9vEgAaACIAKgAyADgAQgASABoCCgAaACIA";
/** `kubectl create namespace bar --dry-run=server` (dryRun=All is in the query, not the body) */
const CAPTURED_DRY_RUN_BAR = "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDYmFyEgAaACIAKgAyADgAQgASABoCCgAaACIA";
/** `kubectl create namespace saved --save-config` (adds the last-applied annotation) */
const CAPTURED_SAVE_CONFIG =
  "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEscBCr4BCgVzYXZlZBIAGgAiACoAMgA4AEIAYqYBCjBrdWJlY3RsLmt1YmVybmV0ZXMuaW8vbGFzdC1hcHBs" +
  "aWVkLWNvbmZpZ3VyYXRpb24Scnsia2luZCI6Ik5hbWVzcGFjZSIsImFwaVZlcnNpb24iOiJ2MSIsIm1ldGFkYXRhIjp7Im5hbWUiOiJzYXZlZCIs" +
  "ImNyZWF0aW9uVGltZXN0YW1wIjpudWxsfSwic3BlYyI6e30sInN0YXR1cyI6e319ChIAGgIKABoAIgA=";

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// A tiny protobuf writer for hand-built bodies.
type Bytes = number[];
function varint(n: number | bigint): Bytes {
  let v = BigInt(n);
  const out: Bytes = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}
const key = (field: number, wireType: number): Bytes => varint(field * 8 + wireType);
const len = (field: number, payload: Bytes): Bytes => [...key(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, text: string): Bytes => len(field, [...new TextEncoder().encode(text)]);
const msg = (field: number, ...fields: Bytes[]): Bytes => len(field, fields.flat());
const int = (field: number, n: number | bigint): Bytes => [...key(field, 0), ...varint(n)];
const entry = (field: number, k: string, v: string): Bytes => msg(field, str(1, k), str(2, v));
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** magic + runtime.Unknown{typeMeta{apiVersion, kind}, raw} */
function body(apiVersion: string, kind: string, raw: Bytes, ...extra: Bytes[]): Uint8Array {
  return new Uint8Array([...MAGIC, ...msg(1, str(1, apiVersion), str(2, kind)), ...len(2, raw), ...extra.flat()]);
}

/** Runs `fn`, expecting an ApiError; returns [code, reason, message]. */
function apiError(fn: () => unknown): [number, string, string] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    return [err.code, err.reason, err.message];
  }
  throw new Error("expected an ApiError");
}

describe("decodeKubernetesProtobuf: bodies captured from kubectl 1.32", () => {
  it("kubectl create namespace foo", () => {
    expect(decodeKubernetesProtobuf(fromBase64(CAPTURED_CREATE_FOO))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "foo" },
      spec: {},
      status: {},
    });
  });

  it("kubectl create namespace bar --dry-run=server", () => {
    expect(decodeKubernetesProtobuf(fromBase64(CAPTURED_DRY_RUN_BAR))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "bar" },
      spec: {},
      status: {},
    });
  });

  it("kubectl create namespace saved --save-config", () => {
    expect(decodeKubernetesProtobuf(fromBase64(CAPTURED_SAVE_CONFIG))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "saved",
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration":
            '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"saved","creationTimestamp":null},"spec":{},"status":{}}\n',
        },
      },
      spec: {},
      status: {},
    });
  });
});

describe("decodeKubernetesProtobuf: hand-built Namespaces", () => {
  it("decodes every ObjectMeta field we keep, spec and status", () => {
    const meta = msg(
      1,
      str(1, "web"),
      str(2, "web-"),
      str(3, "ignored-ns"),
      str(4, "/api/v1/namespaces/web"),
      str(5, "6a0f-uid"),
      str(6, "42"),
      int(7, 3),
      msg(8, int(1, 1_700_000_000), int(2, 5)),
      msg(9, int(1, 1_700_000_001)),
      int(10, 30),
      entry(11, "app", "web"),
      entry(11, "tier", ""),
      entry(12, "note", "hello"),
      msg(13, str(1, "ReplicaSet"), str(3, "rs"), str(4, "rs-uid"), str(5, "apps/v1"), int(6, 1), int(7, 0)),
      msg(13, str(3, "bare")),
      str(14, "example.com/cleanup"),
      str(14, "example.com/other"),
      msg(17, str(1, "kubectl"), str(2, "Update")),
    );
    const raw = [
      ...meta,
      ...msg(2, str(1, "kubernetes"), str(1, "example.com/x")),
      ...msg(3, str(1, "Terminating"), msg(2, str(1, "NamespaceDeletionDiscoveryFailure"), str(2, "True"))),
    ];
    expect(decodeKubernetesProtobuf(body("v1", "Namespace", raw))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "web",
        generateName: "web-",
        namespace: "ignored-ns",
        uid: "6a0f-uid",
        resourceVersion: "42",
        generation: 3,
        labels: { app: "web", tier: "" },
        annotations: { note: "hello" },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "rs-uid", controller: true, blockOwnerDeletion: false },
          { apiVersion: "", kind: "", name: "bare", uid: "" },
        ],
        finalizers: ["example.com/cleanup", "example.com/other"],
      },
      spec: { finalizers: ["kubernetes", "example.com/x"] },
      status: { phase: "Terminating" },
    });
  });

  it("merges repeated messages as Go does: scalars last-wins, lists and maps accumulate", () => {
    const raw = [
      ...msg(1, str(1, "first"), entry(11, "a", "1"), entry(11, "b", "1"), str(14, "f1"), int(7, 2)),
      ...msg(1, str(1, "second"), entry(11, "a", "2"), str(14, "f2"), int(7, 0)),
      ...msg(3, str(1, "Active")),
      ...msg(3, str(1, "")),
    ];
    expect(decodeKubernetesProtobuf(body("v1", "Namespace", raw))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "second", labels: { a: "2", b: "1" }, finalizers: ["f1", "f2"] },
      spec: {},
      status: {},
    });
  });

  it("skips unknown fields of every wire type, as Go's generated code does", () => {
    const unknown = [
      ...int(99, 7),
      ...key(98, 1), 1, 2, 3, 4, 5, 6, 7, 8,
      ...str(97, "x"),
      ...key(96, 5), 1, 2, 3, 4,
    ];
    const raw = [...msg(1, str(1, "n"), ...[unknown]), ...unknown, ...msg(2, unknown), ...msg(3, unknown)];
    expect(decodeKubernetesProtobuf(body("v1", "Namespace", raw, unknown))).toStrictEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "n" },
      spec: {},
      status: {},
    });
  });

  it("gives empty metadata, spec and status when raw is empty or absent", () => {
    const empty = { apiVersion: "v1", kind: "Namespace", metadata: {}, spec: {}, status: {} };
    expect(decodeKubernetesProtobuf(body("v1", "Namespace", []))).toStrictEqual(empty);
    const noRaw = new Uint8Array([...MAGIC, ...msg(1, str(1, "v1"), str(2, "Namespace"))]);
    expect(decodeKubernetesProtobuf(noRaw)).toStrictEqual(empty);
  });

  it("keeps a __proto__ label as an own member", () => {
    const out = decodeKubernetesProtobuf(body("v1", "Namespace", msg(1, entry(11, "__proto__", "x"))));
    const labels = (out.metadata as Record<string, unknown>).labels as object;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.entries(labels)).toEqual([["__proto__", "x"]]);
  });

  it("accepts the envelope's contentType when it names protobuf", () => {
    const b = body("v1", "Namespace", msg(1, str(1, "n")), str(4, "application/vnd.kubernetes.protobuf"), str(3, ""));
    expect(decodeKubernetesProtobuf(b).metadata).toStrictEqual({ name: "n" });
  });
});

describe("decodeKubernetesProtobuf: bad inputs", () => {
  const captured = fromBase64(CAPTURED_CREATE_FOO);
  const P = "unable to decode protobuf body";

  it.each<[string, Uint8Array, number, string, string]>([
    ["an empty body", new Uint8Array(0), 400, "BadRequest", `${P}: empty body`],
    ["only the magic", new Uint8Array(MAGIC), 400, "BadRequest", `${P}: empty body`],
    [
      "JSON instead of protobuf",
      new TextEncoder().encode('{"kind":"Namespace"}'),
      400,
      "BadRequest",
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    ],
    [
      "a short body",
      new Uint8Array([0x6b, 0x38]),
      400,
      "BadRequest",
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    ],
    ["a truncated body", captured.subarray(0, 30), 400, "BadRequest", `${P}: Unknown: length 27 runs past the end of the message (7 bytes left) (at byte 22)`],
    ["a truncated varint", new Uint8Array([...MAGIC, 0x0a, 0x80]), 400, "BadRequest", `${P}: Unknown: truncated varint (at byte 5)`],
    [
      "a length past the end of ObjectMeta",
      body("v1", "Namespace", msg(1, [0x0a, 0x05, 0x61])),
      400,
      "BadRequest",
      `${P}: ObjectMeta: length 5 runs past the end of the message (1 bytes left) (at byte 26)`,
    ],
    [
      "a wrong wire type for metadata.name",
      body("v1", "Namespace", msg(1, int(1, 5))),
      400,
      "BadRequest",
      `${P}: ObjectMeta: wrong wire type 0 (varint) for field 1, expected 2 (length-delimited) (at byte 25)`,
    ],
    [
      "a wrong wire type for the envelope's raw",
      new Uint8Array([...MAGIC, ...msg(1, str(1, "v1"), str(2, "Namespace")), ...int(2, 1)]),
      400,
      "BadRequest",
      `${P}: Unknown: wrong wire type 0 (varint) for field 2, expected 2 (length-delimited) (at byte 21)`,
    ],
    [
      "a string generation",
      body("v1", "Namespace", msg(1, str(7, "1"))),
      400,
      "BadRequest",
      `${P}: ObjectMeta: wrong wire type 2 (length-delimited) for field 7, expected 0 (varint) (at byte 25)`,
    ],
    [
      "a group in an owner reference",
      body("v1", "Namespace", msg(1, msg(13, key(2, 3)))),
      400,
      "BadRequest",
      `${P}: OwnerReference: unsupported wire type 3 (groups) for field 2 (at byte 27)`,
    ],
    [
      "invalid UTF-8 in a label value",
      body("v1", "Namespace", msg(1, msg(11, str(1, "a"), len(2, [0xff])))),
      400,
      "BadRequest",
      `${P}: ObjectMeta map entry: field 2 is not valid UTF-8 (at byte 30)`,
    ],
    [
      "a bad status condition",
      body("v1", "Namespace", msg(3, msg(2, [0x00]))),
      400,
      "BadRequest",
      `${P}: NamespaceCondition: illegal tag 0 (wire type 0) (at byte 27)`,
    ],
    [
      "a missing kind",
      new Uint8Array([...MAGIC, ...msg(1, str(1, "v1")), ...len(2, [])]),
      400,
      "BadRequest",
      "Object 'Kind' is missing in protobuf body",
    ],
    [
      "a missing apiVersion",
      new Uint8Array([...MAGIC, ...msg(1, str(2, "Namespace")), ...len(2, [])]),
      400,
      "BadRequest",
      "Object 'apiVersion' is missing in protobuf body",
    ],
    [
      "an unknown kind",
      body("v1", "Service", msg(1, str(1, "svc"))),
      415,
      "UnsupportedMediaType",
      "protobuf request bodies are not accepted for v1 Service; send it as application/json",
    ],
    [
      "Namespace in another group-version",
      body("apps/v1", "Namespace", []),
      415,
      "UnsupportedMediaType",
      "protobuf request bodies are not accepted for apps/v1 Namespace; send it as application/json",
    ],
    [
      "a kind named after an Object.prototype member",
      body("v1", "constructor", []),
      415,
      "UnsupportedMediaType",
      "protobuf request bodies are not accepted for v1 constructor; send it as application/json",
    ],
    [
      "an encoded raw",
      body("v1", "Namespace", [], str(3, "gzip")),
      415,
      "UnsupportedMediaType",
      'protobuf bodies with contentEncoding "gzip" are not supported; send application/json',
    ],
    [
      "a JSON raw",
      body("v1", "Namespace", [], str(4, "application/json")),
      415,
      "UnsupportedMediaType",
      'protobuf envelopes with contentType "application/json" are not supported; send application/json',
    ],
  ])("%s", (_, bytes, code, reason, message) => {
    expect(apiError(() => decodeKubernetesProtobuf(bytes))).toEqual([code, reason, message]);
  });

  it("every truncation of a captured body fails with 400 or still decodes", () => {
    for (const text of [CAPTURED_CREATE_FOO, CAPTURED_SAVE_CONFIG]) {
      const full = fromBase64(text);
      for (let n = 0; n < full.length; n++) {
        const cut = full.subarray(0, n);
        // Cuts at an envelope field boundary (after typeMeta, raw or contentEncoding) leave a valid body.
        const ok = [21, full.length - 4, full.length - 2].includes(n);
        if (ok) expect(decodeKubernetesProtobuf(cut).kind).toBe("Namespace");
        else expect(apiError(() => decodeKubernetesProtobuf(cut))[0]).toBe(400);
      }
    }
  });

  it("never throws anything but an ApiError on random bytes after the magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
        const bytes = new Uint8Array([...MAGIC, ...tail]);
        try {
          const out = decodeKubernetesProtobuf(bytes);
          expect(out.kind).toBe("Namespace");
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect([400, 415]).toContain((e as ApiError).code);
        }
      }),
    );
  });

  it("never throws anything but an ApiError on mutated captured bodies", () => {
    const base = fromBase64(CAPTURED_SAVE_CONFIG);
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = Uint8Array.from(base);
        bytes[at] = value;
        try {
          decodeKubernetesProtobuf(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect([400, 415]).toContain((e as ApiError).code);
        }
      }),
    );
  });
});
