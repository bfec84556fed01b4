/**
 * @module
 * Generators for the adversarial property suite (test/adversarial.test.ts):
 * hostile requests across every served kind × verb × content type ×
 * subresource, described as small plain values (so fast-check prints and
 * shrinks a readable counterexample) and turned into a real `Request` only
 * when sent (test/adversarial/requests.ts).
 */
import fc from "fast-check";

/** A served kind as the suite addresses it. */
export interface KindInfo {
  kind: string;
  apiVersion: string;
  /** The URL prefix up to the version: `/api/v1` or `/apis/<group>/<version>`. */
  prefix: string;
  plural: string;
  namespaced: boolean;
  subresources: readonly string[];
}

/** Every kind the server serves, with the subresources it serves. */
export const KINDS: readonly KindInfo[] = [
  { kind: "Namespace", apiVersion: "v1", prefix: "/api/v1", plural: "namespaces", namespaced: false, subresources: ["status"] },
  { kind: "Node", apiVersion: "v1", prefix: "/api/v1", plural: "nodes", namespaced: false, subresources: ["status"] },
  { kind: "Pod", apiVersion: "v1", prefix: "/api/v1", plural: "pods", namespaced: true, subresources: ["status", "binding"] },
  { kind: "Event", apiVersion: "v1", prefix: "/api/v1", plural: "events", namespaced: true, subresources: ["status"] },
  { kind: "ServiceAccount", apiVersion: "v1", prefix: "/api/v1", plural: "serviceaccounts", namespaced: true, subresources: ["status", "token"] },
  { kind: "ReplicaSet", apiVersion: "apps/v1", prefix: "/apis/apps/v1", plural: "replicasets", namespaced: true, subresources: ["status", "scale"] },
  { kind: "Deployment", apiVersion: "apps/v1", prefix: "/apis/apps/v1", plural: "deployments", namespaced: true, subresources: ["status", "scale"] },
  { kind: "VirtualMachine", apiVersion: "kubevirt.io/v1", prefix: "/apis/kubevirt.io/v1", plural: "virtualmachines", namespaced: true, subresources: ["status", "start", "stop", "restart"] },
  { kind: "VirtualMachineInstance", apiVersion: "kubevirt.io/v1", prefix: "/apis/kubevirt.io/v1", plural: "virtualmachineinstances", namespaced: true, subresources: ["status", "pause", "unpause"] },
  { kind: "VirtualMachineInstanceReplicaSet", apiVersion: "kubevirt.io/v1", prefix: "/apis/kubevirt.io/v1", plural: "virtualmachineinstancereplicasets", namespaced: true, subresources: ["status", "scale"] },
];

/** A valid object of `kind` named `name` (replicas stay 0: controllers must not flood the test). */
export function sampleObject(kind: string, name: string, labels: Record<string, string> = {}, namespace = ""): Record<string, unknown> {
  const meta = { name, labels };
  const vmSpec = { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } };
  switch (kind) {
    case "Namespace": return { apiVersion: "v1", kind, metadata: meta };
    case "Node": return { apiVersion: "v1", kind, metadata: meta, spec: {} };
    case "Pod": return { apiVersion: "v1", kind, metadata: meta, spec: { containers: [{ name: "c", image: "busybox" }] } };
    case "Event": return {
      apiVersion: "v1", kind, metadata: meta, reason: "Fuzz", message: "m", type: "Normal",
      involvedObject: { apiVersion: "v1", kind: "Pod", name: "x", namespace },
    };
    case "ServiceAccount": return { apiVersion: "v1", kind, metadata: meta };
    case "ReplicaSet": return {
      apiVersion: "apps/v1", kind, metadata: meta,
      spec: { replicas: 0, selector: { matchLabels: { rs: name } }, template: { metadata: { labels: { rs: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    case "Deployment": return {
      apiVersion: "apps/v1", kind, metadata: meta,
      spec: { replicas: 0, selector: { matchLabels: { deploy: name } }, template: { metadata: { labels: { deploy: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    case "VirtualMachine": return {
      // Manual: the VM controller neither starts nor deletes the seeded VMI of the same name.
      apiVersion: "kubevirt.io/v1", kind, metadata: meta, spec: { runStrategy: "Manual", template: { spec: vmSpec } },
    };
    case "VirtualMachineInstance": return { apiVersion: "kubevirt.io/v1", kind, metadata: meta, spec: vmSpec };
    case "VirtualMachineInstanceReplicaSet": return {
      apiVersion: "kubevirt.io/v1", kind, metadata: meta,
      spec: { replicas: 0, selector: { matchLabels: { vmirs: name } }, template: { metadata: { labels: { vmirs: name } }, spec: vmSpec } },
    };
    default: throw new Error(`no sample for ${kind}`);
  }
}

/** The seeded names every kind has in the suite's namespace (created before the properties run). */
export const SEEDED = ["seed-a", "seed-b"] as const;

/** Stands for the joined node's name in names and selectors; replaced when a request is rendered. */
export const NODE = "$NODE";

// ---------------------------------------------------------------- names

/** Names: the seeded ones (so writes hit real objects), fresh valid ones, and hostile ones. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...SEEDED, ...SEEDED, NODE) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).map((s) => `fz-${s}`) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom("default", "kube-system", "kube-public", "kube-node-lease", "", ".", "..", "%2F", "a%2Fb", "a/b", "..%2F..", "%2e%2e", "a b", "A", "-a", "a-", "ünï", "名前", "😀", "a\u0000b", "status", "scale"),
      fc.constantFrom(253, 254, 400).map((n) => "x".repeat(n)),
      fc.string({ unit: "binary", maxLength: 20 }),
    ),
  },
);

/** How a name is put into a path: percent-encoded as clients do, or raw. */
export type NameEncoding = "encoded" | "raw";

// ---------------------------------------------------------------- query strings

const selectorArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "", "a=b", "a==b", "a!=b", "a in (b,c)", "a notin (b)", "!a", "a", "a,b", "a=b,c!=d", "a in ()", "a in (", "=", "==", "!=",
    "a=b=c", ",", "a,,b", "!", "!!a", "a in (b", "a notin", "x in (a,b,c) ,y", "a>1", "a<2", "a>b", "kubevirt.io/nodeName=n", `kubevirt.io/nodeName=${NODE}`, `spec.nodeName=${NODE}`,
    `metadata.name=${NODE}`, `spec.nodeName=${NODE},metadata.name=seed-a`, `spec.nodeName==${NODE}`, `kubevirt.io/nodeName in (${NODE})`,
    "metadata.name=seed-a", "metadata.namespace=x", "spec.nodeName=n", "status.phase=Running", "spec.nodeName!=", "bogus.field=1",
    "metadata.name=a,metadata.name=b", "metadata.name", "metadata.name==", "spec.unschedulable=true", "involvedObject.name=x",
    `${"a".repeat(64)}=b`, `a=${"b".repeat(64)}`, `${"p".repeat(254)}/a=b`, "é=ü", "a=(b)", "a in (b,,c)", "a=\\,", "a\\=b=c",
  ),
  fc.string({ maxLength: 40 }),
  fc.array(fc.constantFrom("a", "=", "!", ",", "(", ")", " ", "in", "notin", "b", "/", ".", "\\", "metadata.name", "==", "!="), { maxLength: 12 }).map((p) => p.join("")),
);

const numberishArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("0", "1", "-1", "2", "500", "1000", "abc", "", "1.5", "1e3", "99999999999999999999", "9223372036854775808", "NaN", " 1", "0x10", "+1", "00", "-0"),
  fc.nat().map(String),
);

const continueArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "x", "====", "%", "eyJ9", btoa("{}"), btoa("[]"), btoa("null"), btoa('{"rv":0,"start":""}'), btoa('{"rv":1,"start":"\\u0000"}'),
    btoa('{"rv":1e300,"start":"a"}'), btoa('{"rv":1,"start":{}}'), btoa('{"v":"meta.k8s.io/v1","rv":1,"start":"zzz"}'), btoa('{"rv":-5,"start":""}'),
    btoa('{"rv":1.5,"start":""}'), "\u00ff\u00fe"),
  fc.string({ maxLength: 30 }),
  fc.record({ rv: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })), start: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null)) })
    .map((t) => btoa(unescape(encodeURIComponent(JSON.stringify(t))))),
);

const rvArb: fc.Arbitrary<string> = fc.oneof(numberishArb, fc.constantFrom("1", "10", "999999999", "abc", "-5"));

/** One hostile query parameter. */
export const queryParamArb: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant("labelSelector"), selectorArb),
  fc.tuple(fc.constant("fieldSelector"), selectorArb),
  fc.tuple(fc.constant("limit"), numberishArb),
  fc.tuple(fc.constant("continue"), continueArb),
  fc.tuple(fc.constant("resourceVersion"), rvArb),
  fc.tuple(fc.constant("resourceVersionMatch"), fc.constantFrom("", "Exact", "NotOlderThan", "exact", "Bogus")),
  fc.tuple(fc.constant("timeoutSeconds"), fc.constantFrom("0", "1", "-1", "abc", "1.5", "99999999999999999999")),
  fc.tuple(fc.constant("watch"), fc.constantFrom("true", "1", "false", "0", "", "yes", "TRUE")),
  fc.tuple(fc.constant("allowWatchBookmarks"), fc.constantFrom("true", "false", "maybe")),
  fc.tuple(fc.constant("sendInitialEvents"), fc.constantFrom("true", "false", "x")),
  fc.tuple(fc.constant("gracePeriodSeconds"), fc.constantFrom("0", "1", "-1", "30", "abc", "1.5", "", "9999999999999", "99999999999999999999", "9223372036854775807")),
  fc.tuple(fc.constant("propagationPolicy"), fc.constantFrom("Orphan", "Foreground", "Background", "bogus", "")),
  fc.tuple(fc.constant("orphanDependents"), fc.constantFrom("true", "false", "x")),
  fc.tuple(fc.constant("dryRun"), fc.constantFrom("All", "all", "", "None", "All,All")),
  fc.tuple(fc.constant("fieldManager"), fc.oneof(fc.constantFrom("m", "", "kubectl", "x".repeat(200), "ü\u0000"), fc.string({ maxLength: 10 }))),
  fc.tuple(fc.constant("fieldValidation"), fc.constantFrom("Strict", "Warn", "Ignore", "", "bogus")),
  fc.tuple(fc.constant("force"), fc.constantFrom("true", "false", "x")),
  fc.tuple(fc.constant("includeObject"), fc.constantFrom("None", "Object", "Metadata", "x")),
  fc.tuple(fc.constant("pretty"), fc.constantFrom("true", "x")),
  fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
);

// ---------------------------------------------------------------- bodies

/**
 * A long string that prints as its length in a counterexample: fast-check
 * shows `"s"×5000`, the request carries the string itself (toJSON).
 */
export class LongString {
  constructor(readonly length: number) {}
  /** The string itself, when the body is serialised. */
  toJSON(): string {
    return "s".repeat(this.length);
  }
  /** What fast-check prints. */
  [fc.toStringMethod](): string {
    return `"s"×${this.length}`;
  }
}

/** A JSON value nobody expects where a field belongs. */
const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, "", "x", [], {}, [null], { "": "" }, "\u0000", "\uffff", "\ud800"),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => new LongString(n)),
);

/** Where a wrong value is put into an otherwise valid object. */
const fieldPathArb: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.constantFrom(
    ["metadata"], ["metadata", "name"], ["metadata", "namespace"], ["metadata", "labels"], ["metadata", "labels", "a"],
    ["metadata", "annotations"], ["metadata", "finalizers"], ["metadata", "ownerReferences"], ["metadata", "generateName"],
    ["metadata", "resourceVersion"], ["metadata", "uid"], ["metadata", "deletionTimestamp"], ["metadata", "creationTimestamp"],
    ["metadata", "deletionGracePeriodSeconds"], ["metadata", "generation"], ["metadata", "managedFields"],
    ["spec"], ["spec", "containers"], ["spec", "containers", "0"], ["spec", "containers", "0", "resources"],
    ["spec", "containers", "0", "resources", "requests", "cpu"], ["spec", "nodeName"], ["spec", "affinity"],
    ["spec", "replicas"], ["spec", "selector"], ["spec", "template"], ["spec", "template", "metadata", "labels"],
    ["spec", "runStrategy"], ["spec", "running"], ["spec", "domain"], ["spec", "domain", "resources", "requests", "memory"],
    ["spec", "taints"], ["spec", "unschedulable"], ["spec", "finalizers"], ["spec", "tolerations"],
    ["status"], ["status", "phase"], ["status", "conditions"], ["status", "capacity"], ["status", "replicas"],
    ["involvedObject"], ["count"], ["kind"], ["apiVersion"],
    ["__proto__"], ["metadata", "__proto__"], ["metadata", "labels", "__proto__"], ["spec", "constructor", "prototype"],
  ),
  fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 4 }),
);

/** A change to a valid object: a (possibly wrong) value at a path. */
export interface Mutation {
  path: readonly string[];
  value: unknown;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fieldPathArb,
  value: fc.oneof(wrongValueArb, fc.constantFrom("busybox", "Running", "Always", 0, 1, { a: "b" }, ["x"])),
});

/** Deep nesting, beyond the server's limit of 100 levels and its decoders' recursion. */
const MAX_DEPTH = 30_000;

/** Object sizes stay below what wedges an object on main until defect 4 is merged. */
const MAX_STORED_BYTES = 2_000_000;

/** YAML-only hostility: alias bombs, deep anchors, tags, several documents, merge keys, `.nan`/`.inf`. */
export type YamlBomb = "aliases" | "anchors-deep" | "tags" | "multi-doc" | "merge" | "special-numbers";

/** A request body, described (rendered into bytes by requests.ts). */
export type BodySpec =
  | { t: "none" }
  | { t: "object"; mutations: Mutation[] }
  | { t: "json"; value: unknown }
  | { t: "text"; text: string }
  | { t: "deep"; depth: number; open: "[" | "{" | "mixed"; closed: boolean }
  | { t: "big"; bytes: number; where: "annotation" | "label" | "many-keys" | "array" }
  | { t: "oversized"; bytes: number }
  | { t: "duplicateKeys" }
  | { t: "invalidUtf8"; at: number }
  | { t: "protobuf"; payload: "garbage" | "namespace" | "wrong-kind" | "truncated"; bytes: number[] }
  | { t: "yamlBomb"; kind: YamlBomb }
  | { t: "jsonPatch"; ops: unknown[] }
  | { t: "patchBomb"; doublings: number; op: "copy" | "move-copy" }
  | { t: "mergePatch"; value: unknown }
  | { t: "deleteOptions"; value: unknown };

const jsonPointerArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "/", "/metadata/labels/a", "/metadata/labels", "/metadata/name", "/metadata/resourceVersion", "/spec",
    "/spec/containers/0", "/spec/containers/-", "/spec/containers/99", "/spec/containers/-1", "/spec/containers/01", "/status",
    "/metadata/labels/a~1b", "/metadata/labels/~2", "/metadata/~", "a/b", "/metadata/uid", "/kind", "/apiVersion",
    "/metadata/finalizers/-", "/spec/replicas", "/metadata/annotations/x", "/__proto__/x", "/constructor/prototype"),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }).map((p) => `/${p.join("/")}`),
);

const jsonPatchOpArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ op: fc.constantFrom("add", "replace", "remove", "test", "copy", "move", "bogus"), path: jsonPointerArb, from: jsonPointerArb, value: wrongValueArb }, { requiredKeys: ["op", "path"] }),
  wrongValueArb,
);

const protobufPayloadArb = fc.record({
  payload: fc.constantFrom("garbage", "namespace", "wrong-kind", "truncated") as fc.Arbitrary<"garbage" | "namespace" | "wrong-kind" | "truncated">,
  bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 120 }),
});

/** Bodies for create/update (objects) and anything else a client might send. */
export const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 8, arbitrary: fc.array(mutationArb, { maxLength: 3 }).map((mutations) => ({ t: "object" as const, mutations })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ t: "json" as const, value })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ t: "text" as const, text })) },
  {
    weight: 2,
    arbitrary: fc.record({
      depth: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: MAX_DEPTH })),
      open: fc.constantFrom("[", "{", "mixed") as fc.Arbitrary<"[" | "{" | "mixed">,
      closed: fc.boolean(),
    }).map((d) => ({ t: "deep" as const, ...d })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      bytes: fc.integer({ min: 10_000, max: MAX_STORED_BYTES }),
      where: fc.constantFrom("annotation", "label", "many-keys", "array") as fc.Arbitrary<"annotation" | "label" | "many-keys" | "array">,
    }).map((b) => ({ t: "big" as const, ...b })),
  },
  // Over the 3 MiB request limit: kept rare, each one costs a few MB of copying.
  { weight: 1, arbitrary: fc.constantFrom(3 * 1024 * 1024 + 1, 3_500_000).map((bytes) => ({ t: "oversized" as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ t: "duplicateKeys" as const }) },
  { weight: 1, arbitrary: fc.nat(200).map((at) => ({ t: "invalidUtf8" as const, at })) },
  { weight: 1, arbitrary: protobufPayloadArb.map((p) => ({ t: "protobuf" as const, ...p })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<YamlBomb>("aliases", "anchors-deep", "tags", "multi-doc", "merge", "special-numbers")
      .map((kind) => ({ t: "yamlBomb" as const, kind })),
  },
  { weight: 1, arbitrary: fc.constant({ t: "none" as const }) },
);

/** Bodies for PATCH: patches of each type, plus everything bodyArb makes. */
export const patchBodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 4, arbitrary: fc.array(jsonPatchOpArb, { maxLength: 5 }).map((ops) => ({ t: "jsonPatch" as const, ops })) },
  {
    weight: 1,
    arbitrary: fc.record({
      // Upstream bounds the number of operations and the result's size; main does not yet (defect 3).
      doublings: fc.integer({ min: 1, max: 45 }),
      op: fc.constantFrom("copy", "move-copy") as fc.Arbitrary<"copy" | "move-copy">,
    }).map((p) => ({ t: "patchBomb" as const, ...p })),
  },
  {
    weight: 4,
    arbitrary: fc.oneof(
      mutationArb.map((m) => nest(m.path, m.value)),
      fc.jsonValue({ maxDepth: 3 }),
    ).map((value) => ({ t: "mergePatch" as const, value })),
  },
  { weight: 4, arbitrary: bodyArb },
);

/** Bodies for DELETE: DeleteOptions with hostile fields. */
export const deleteBodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: "none" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("DeleteOptions", "Pod", 5),
      apiVersion: fc.constantFrom("v1", "meta.k8s.io/v1", null),
      gracePeriodSeconds: wrongValueArb,
      propagationPolicy: fc.oneof(fc.constantFrom("Orphan", "Foreground", "Background", "x"), wrongValueArb),
      orphanDependents: fc.oneof(fc.boolean(), wrongValueArb),
      preconditions: fc.oneof(fc.record({ uid: fc.oneof(fc.uuid(), wrongValueArb), resourceVersion: fc.oneof(rvArb, wrongValueArb) }, { requiredKeys: [] }), wrongValueArb),
      dryRun: fc.oneof(fc.constant(["All"]), wrongValueArb),
    }, { requiredKeys: [] }).map((value) => ({ t: "deleteOptions" as const, value })),
  },
  { weight: 2, arbitrary: bodyArb },
);

/** `value` at `path` inside nested objects. */
export function nest(path: readonly string[], value: unknown): unknown {
  let out = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i] ?? ""]: out };
  return out;
}

// ---------------------------------------------------------------- content types

/** Content types for object bodies. */
export const objectContentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "application/yaml", "application/vnd.kubernetes.protobuf", undefined, "", "text/html", "application/json; charset=latin1",
      "APPLICATION/JSON", "application/merge-patch+json", "multipart/form-data; boundary=x", "application/x-yaml", "*/*", ";;;", "application/cbor",
    ),
  },
);

/** Content types for PATCH bodies. */
export const patchContentTypeArb: fc.Arbitrary<string | undefined> = fc.constantFrom(
  "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
  "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
  "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain", undefined, "application/apply-patch+cbor",
);

// ---------------------------------------------------------------- requests

/** Who sends a request. */
export type Actor = "admin" | "node" | "anonymous";

/** One generated request, before rendering. */
export interface RequestSpec {
  actor: Actor;
  kind: string;
  verb: string;
  /** Where the request is scoped: the suite's namespace, another one, all namespaces. */
  scope: "ns" | "other-ns" | "all" | "missing-ns";
  name: string;
  /** Whether the path names an object (get, update, patch, delete, subresources, named watches). */
  named: boolean;
  encoding: NameEncoding;
  subresource?: string;
  method: string;
  contentType?: string;
  body: BodySpec;
  query: [string, string][];
  accept?: string;
}

const acceptArb: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined, undefined, undefined, "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io", "application/vnd.kubernetes.protobuf",
  "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "text/html", "application/yaml", "*/*",
);

const queryArb = fc.array(queryParamArb, { maxLength: 4 });

/** The verbs generated, with their HTTP method and what body they carry. */
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "subget", "subput", "subpatch", "subpost", "kubevirt", "other"] as const;

/** A hostile request against `kind`. */
export function requestArb(actors: fc.Arbitrary<Actor>): fc.Arbitrary<RequestSpec> {
  return fc.record({
    actor: actors,
    kindInfo: fc.constantFrom(...KINDS),
    verb: fc.constantFrom(...VERBS),
    scope: fc.oneof(
      { weight: 10, arbitrary: fc.constant("ns" as const) },
      { weight: 1, arbitrary: fc.constantFrom("other-ns", "all", "missing-ns") as fc.Arbitrary<RequestSpec["scope"]> },
    ),
    name: nameArb,
    encoding: fc.constantFrom("encoded", "encoded", "encoded", "raw") as fc.Arbitrary<NameEncoding>,
    body: bodyArb,
    patchBody: patchBodyArb,
    deleteBody: deleteBodyArb,
    objectType: objectContentTypeArb,
    patchType: patchContentTypeArb,
    query: queryArb,
    accept: acceptArb,
    subIndex: fc.nat(10),
    otherMethod: fc.constantFrom("HEAD", "OPTIONS", "PROPFIND", "POST", "PUT", "GET"),
  }).map((r): RequestSpec => {
    const k = r.kindInfo;
    const sub = k.subresources[r.subIndex % k.subresources.length];
    const base = { actor: r.actor, kind: k.kind, scope: r.scope, name: r.name, named: true, encoding: r.encoding, accept: r.accept, query: r.query };
    const collection = { ...base, named: false };
    switch (r.verb) {
      case "get": return { ...base, verb: "get", method: "GET", body: { t: "none" }, query: r.query.filter(([key]) => key !== "watch") };
      case "list": return { ...collection, verb: "list", method: "GET", body: { t: "none" }, query: r.query.filter(([key]) => key !== "watch") };
      case "watch": return {
        ...base, named: r.subIndex % 2 === 1, verb: "watch", method: "GET", body: { t: "none" },
        // Watches must end on their own: a short timeout, whatever else the query says.
        query: [...r.query.filter(([key]) => key !== "timeoutSeconds" && key !== "watch"), ["watch", "true"], ["timeoutSeconds", "1"]],
      };
      case "create": return { ...collection, verb: "create", method: "POST", body: r.body, contentType: r.objectType };
      case "update": return { ...base, verb: "update", method: "PUT", body: r.body, contentType: r.objectType };
      case "patch": return { ...base, verb: "patch", method: "PATCH", body: r.patchBody, contentType: r.patchType };
      case "delete": return { ...base, verb: "delete", method: "DELETE", body: r.deleteBody, contentType: r.objectType };
      case "deletecollection":
        return { ...collection, verb: "deletecollection", method: "DELETE", body: r.deleteBody, contentType: r.objectType };
      case "subget": return { ...base, verb: "get", subresource: sub, method: "GET", body: { t: "none" } };
      case "subput": return { ...base, verb: "update", subresource: sub, method: "PUT", body: r.body, contentType: r.objectType };
      case "subpatch": return { ...base, verb: "patch", subresource: sub, method: "PATCH", body: r.patchBody, contentType: r.patchType };
      case "subpost": return { ...base, verb: "create", subresource: sub === "status" ? "binding" : sub, method: "POST", body: r.body, contentType: r.objectType };
      case "kubevirt": return {
        ...base, verb: "kubevirt", subresource: ["start", "stop", "restart", "pause", "unpause", "migrate", "bogus"][r.subIndex % 7],
        method: "PUT", body: r.deleteBody, contentType: r.objectType,
      };
      default: return { ...base, verb: "other", method: r.otherMethod, body: r.body, contentType: r.objectType };
    }
  });
}

/** The namespaces the server creates itself. */
const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * The extremes of issue 8's defects (nesting 6, patch bombs 3, object size 4,
 * grace periods 5, built-in namespaces 8), sent once each whatever the seed:
 * random generation reaches them too rarely to prove their fix.
 */
export function extremeRequests(): RequestSpec[] {
  const base = { actor: "admin" as const, scope: "ns" as const, encoding: "encoded" as const, query: [] as [string, string][], named: true };
  const out: RequestSpec[] = [];
  {
    for (const kind of ["Pod", "ReplicaSet", "VirtualMachine"]) {
      const deep: BodySpec = { t: "deep", depth: 20_000, open: "{", closed: true };
      out.push({ ...base, kind, name: "fz-deep", named: false, verb: "create", method: "POST", contentType: "application/json", body: deep });
      out.push({ ...base, kind, name: "seed-a", verb: "update", method: "PUT", contentType: "application/yaml", body: { t: "deep", depth: 20_000, open: "[", closed: true } });
      out.push({ ...base, kind, name: "seed-a", verb: "patch", method: "PATCH", contentType: "application/merge-patch+json", body: deep });
    }
  }
  {
    for (const kind of ["Pod", "ReplicaSet", "VirtualMachineInstance"]) {
      out.push({ ...base, kind, name: "seed-a", verb: "patch", method: "PATCH", contentType: "application/json-patch+json", body: { t: "patchBomb", doublings: 40, op: "copy" } });
    }
  }
  {
    for (const kind of ["Pod", "VirtualMachine"]) {
      out.push({ ...base, kind, name: "seed-a", verb: "update", method: "PUT", contentType: "application/json", body: { t: "big", bytes: 1_100_000, where: "annotation" } });
      out.push({ ...base, kind, name: "seed-b", verb: "update", method: "PUT", contentType: "application/json", body: { t: "big", bytes: 1_600_000, where: "annotation" } });
    }
  }
  {
    out.push({ ...base, kind: "Pod", name: "seed-b", verb: "delete", method: "DELETE", query: [["gracePeriodSeconds", "9999999999999"]], body: { t: "none" } });
    out.push({ ...base, kind: "Pod", name: "seed-a", verb: "patch", method: "PATCH", contentType: "application/merge-patch+json", body: { t: "mergePatch", value: { spec: { terminationGracePeriodSeconds: 9999999999999 } } } });
    out.push({ ...base, kind: "Pod", name: "seed-a", verb: "delete", method: "DELETE", contentType: "application/json", body: { t: "deleteOptions", value: { gracePeriodSeconds: 9999999999999 } } });
  }
  {
    for (const name of BUILTIN_NAMESPACES) out.push({ ...base, kind: "Namespace", name, verb: "delete", method: "DELETE", body: { t: "none" } });
    out.push({ ...base, kind: "Namespace", name: "", named: false, verb: "deletecollection", method: "DELETE", query: [["labelSelector", "seeded=true"]], body: { t: "none" } });
  }
  return out;
}

/** What must hold after an extreme request beyond the general checks: the built-in namespaces stay. */
export const MUST_EXIST_NAMESPACES: readonly string[] = BUILTIN_NAMESPACES;
