import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import { applyJsonPatch, decodeJsonPatch, MAX_JSON_PATCH_OPERATIONS } from "./json-patch";
import type { Json } from "./object";
import { apiErrorOf } from "../../test/api-error";

const pod: Json = {
  metadata: { name: "web", labels: { app: "web" }, finalizers: ["a", "b"] },
  spec: { containers: [{ name: "web", image: "nginx:1.25" }], nodeName: null },
};

describe("applyJsonPatch: each operation", () => {
  it.each<[string, Json, Json, Json]>([
    ["add a member", { a: 1 }, [{ op: "add", path: "/b", value: { c: [1] } }], { a: 1, b: { c: [1] } }],
    ["add replaces an existing member", { a: 1 }, [{ op: "add", path: "/a", value: 2 }], { a: 2 }],
    ["add inserts into an array", { l: [1, 3] }, [{ op: "add", path: "/l/1", value: 2 }], { l: [1, 2, 3] }],
    ["add at the array length appends", { l: [1] }, [{ op: "add", path: "/l/1", value: 2 }], { l: [1, 2] }],
    ["add with - appends", { l: [1] }, [{ op: "add", path: "/l/-", value: 2 }], { l: [1, 2] }],
    ["add null", { a: 1 }, [{ op: "add", path: "/b", value: null }], { a: 1, b: null }],
    ["add at the root replaces the document", { a: 1 }, [{ op: "add", path: "", value: [1] }], [1]],
    ["add with escaped key", {}, [{ op: "add", path: "/a~1b~0c", value: 1 }], { "a/b~c": 1 }],
    ["remove a member", { a: 1, b: 2 }, [{ op: "remove", path: "/a" }], { b: 2 }],
    ["remove a null member", { a: null }, [{ op: "remove", path: "/a" }], {}],
    ["remove an array element", { l: [1, 2, 3] }, [{ op: "remove", path: "/l/1" }], { l: [1, 3] }],
    ["replace a member", { a: 1 }, [{ op: "replace", path: "/a", value: "x" }], { a: "x" }],
    ["replace an array element", { l: [1, 2] }, [{ op: "replace", path: "/l/0", value: 9 }], { l: [9, 2] }],
    ["replace the root", { a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }], { b: 2 }],
    ["move a member", { a: { x: 1 }, b: {} }, [{ op: "move", from: "/a/x", path: "/b/y" }], { a: {}, b: { y: 1 } }],
    ["move within an array", { l: [1, 2, 3] }, [{ op: "move", from: "/l/0", path: "/l/2" }], { l: [2, 3, 1] }],
    ["move to the end of the same array", { l: [1, 2] }, [{ op: "move", from: "/l/0", path: "/l/-" }], { l: [2, 1] }],
    ["move onto itself", { a: 1 }, [{ op: "move", from: "/a", path: "/a" }], { a: 1 }],
    ["copy a member", { a: { x: [1] } }, [{ op: "copy", from: "/a", path: "/b" }], { a: { x: [1] }, b: { x: [1] } }],
    ["copy into an array", { l: [1] }, [{ op: "copy", from: "/l/0", path: "/l/0" }], { l: [1, 1] }],
    ["test passes then replace", { a: [1, { b: 2 }] }, [
      { op: "test", path: "/a", value: [1, { b: 2 }] },
      { op: "replace", path: "/a/1/b", value: 3 },
    ], { a: [1, { b: 3 }] }],
    ["test a null member", { a: null }, [{ op: "test", path: "/a", value: null }], { a: null }],
    ["test the root", { a: 1 }, [{ op: "test", path: "", value: { a: 1 } }], { a: 1 }],
    ["empty patch", { a: 1 }, [], { a: 1 }],
  ])("%s", (_name, target, ops, expected) => {
    expect(applyJsonPatch(target, ops)).toEqual(expected);
  });

  it("applies kubectl-shaped patches to a pod", () => {
    const result = applyJsonPatch(pod, [
      { op: "replace", path: "/spec/containers/0/image", value: "nginx:1.26" },
      { op: "add", path: "/metadata/labels/tier", value: "fe" },
      { op: "remove", path: "/metadata/finalizers/0" },
    ]);
    expect(result).toEqual({
      metadata: { name: "web", labels: { app: "web", tier: "fe" }, finalizers: ["b"] },
      spec: { containers: [{ name: "web", image: "nginx:1.26" }], nodeName: null },
    });
  });

  it("never mutates the target or the operations, and shares no structure with them", () => {
    const target: Json = { l: [{ a: 1 }], m: { x: 1 } };
    const value: Json = { deep: [1] };
    const ops: Json = [
      { op: "add", path: "/n", value },
      { op: "move", from: "/m/x", path: "/m/y" },
      { op: "remove", path: "/l/0" },
    ];
    const result = applyJsonPatch(target, ops) as { n: { deep: number[] } };
    expect(target).toEqual({ l: [{ a: 1 }], m: { x: 1 } });
    result.n.deep.push(2);
    expect(value).toEqual({ deep: [1] });
  });

  it("is atomic: a failing later operation leaves nothing applied", () => {
    const target: Json = { a: 1 };
    expect(() => applyJsonPatch(target, [{ op: "add", path: "/b", value: 2 }, { op: "remove", path: "/zz" }])).toThrow(
      ApiError,
    );
    expect(target).toEqual({ a: 1 });
  });
});

describe("applyJsonPatch: errors", () => {
  // A malformed document is 400 BadRequest (kube-apiserver: jsonpatch.DecodePatch failed).
  it.each<[string, Json, string]>([
    ["not an array", { op: "add" }, "json patch must be a JSON array of operations, got an object"],
    ["null document", null, "json patch must be a JSON array of operations, got null"],
    ["operation not an object", ["add"], "json patch operation 0 must be an object, got a string"],
    ["missing op", [{ path: "/a" }], "json patch operation 0 has no op; op must be one of add, remove, replace, move, copy, test"],
    ["unknown op", [{ op: "add", path: "/a", value: 1 }, { op: "merge", path: "/a" }],
      'json patch operation 1 has op "merge"; op must be one of add, remove, replace, move, copy, test'],
    ["internal op of fast-json-patch", [{ op: "_get", path: "/a" }],
      'json patch operation 0 has op "_get"; op must be one of add, remove, replace, move, copy, test'],
    ["missing path", [{ op: "remove" }], 'json patch operation 0 (remove) is missing "path"'],
    ["non-string path", [{ op: "remove", path: 3 }], 'json patch operation 0 (remove) has a non-string "path"'],
    ["path without leading slash", [{ op: "remove", path: "a/b" }],
      'json patch operation 0 (remove) has path "a/b", which is not a JSON pointer (it must be empty or start with "/", with "~" written as "~0" and "/" inside a key as "~1")'],
    ["bad escape in path", [{ op: "remove", path: "/a~2" }],
      'json patch operation 0 (remove) has path "/a~2", which is not a JSON pointer (it must be empty or start with "/", with "~" written as "~0" and "/" inside a key as "~1")'],
    ["missing from", [{ op: "move", path: "/a" }], 'json patch operation 0 (move) is missing "from"'],
    ["missing value", [{ op: "add", path: "/a" }], 'json patch operation 0 (add /a) is missing "value"'],
    ["missing test value", [{ op: "test", path: "/a" }], 'json patch operation 0 (test /a) is missing "value"'],
  ])("400 for %s", (_name, ops, message) => {
    const err = apiErrorOf(() => applyJsonPatch({ a: 1 }, ops));
    expect([err.code, err.reason, err.message]).toEqual([400, "BadRequest", message]);
  });

  it("413 past 10000 operations, with upstream's message", () => {
    const ops: Json = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: "test", path: "", value: 1 }));
    const err = apiErrorOf(() => decodeJsonPatch(ops));
    expect([err.code, err.reason, err.message]).toEqual([
      413,
      "RequestEntityTooLarge",
      "The allowed maximum operations in a JSON patch is 10000, got 10001",
    ]);
  });

  // An operation that does not apply is 422 Invalid without details (kube-apiserver:
  // NewGenericServerResponse(422, …)), so kubectl prints "The request is invalid: <message>".
  it.each<[string, Json, Json, string]>([
    ["failed test", pod, [{ op: "test", path: "/spec/containers/0/image", value: "nginx:1.26" }],
      'testing value at "/spec/containers/0/image" failed: expected "nginx:1.26" but found "nginx:1.25"'],
    ["failed test on a missing path", pod, [{ op: "test", path: "/metadata/uid", value: "u" }],
      'test operation does not apply: doc is missing path: "/metadata/uid" ("/metadata/uid" does not exist)'],
    ["failed test of the root", { a: 1 }, [{ op: "test", path: "", value: { a: 2 } }],
      'testing value at "" failed: expected {"a":2} but found {"a":1}'],
    ["remove a missing member", pod, [{ op: "remove", path: "/metadata/labels/tier" }],
      'remove operation does not apply: doc is missing path: "/metadata/labels/tier" ("/metadata/labels/tier" does not exist)'],
    ["remove an inherited property", { a: {} }, [{ op: "remove", path: "/a/toString" }],
      'remove operation does not apply: doc is missing path: "/a/toString" ("/a/toString" does not exist)'],
    ["replace a missing member", pod, [{ op: "replace", path: "/spec/hostname", value: "h" }],
      'replace operation does not apply: doc is missing path: "/spec/hostname" ("/spec/hostname" does not exist)'],
    ["add under a missing parent", pod, [{ op: "add", path: "/spec/affinity/nodeAffinity", value: {} }],
      'add operation does not apply: doc is missing path: "/spec/affinity/nodeAffinity" ("/spec/affinity" does not exist)'],
    ["add under a null parent", pod, [{ op: "add", path: "/spec/nodeName/x", value: 1 }],
      'add operation does not apply: doc is missing path: "/spec/nodeName/x" ("/spec/nodeName" is null, not an object or array)'],
    ["add past the array end", pod, [{ op: "add", path: "/spec/containers/2", value: {} }],
      'add operation does not apply: doc is missing path: "/spec/containers/2" (index 2 is out of range for the array at "/spec/containers" of length 1)'],
    ["replace past the array end", pod, [{ op: "replace", path: "/spec/containers/1", value: {} }],
      'replace operation does not apply: doc is missing path: "/spec/containers/1" (index 1 is out of range for the array at "/spec/containers" of length 1)'],
    ["array index that is a name", pod, [{ op: "replace", path: "/spec/containers/web/image", value: "x" }],
      'replace operation does not apply: doc is missing path: "/spec/containers/web/image" ("web" is not a valid index for the array at "/spec/containers")'],
    ["array index with a leading zero", { l: [1, 2] }, [{ op: "remove", path: "/l/01" }],
      'remove operation does not apply: doc is missing path: "/l/01" ("01" is not a valid index for the array at "/l")'],
    ["remove with -", { l: [1] }, [{ op: "remove", path: "/l/-" }],
      'remove operation does not apply: doc is missing path: "/l/-" ("-" is not a valid index for the array at "/l")'],
    ["remove the root", { a: 1 }, [{ op: "remove", path: "" }],
      "remove operation does not apply: cannot remove the whole document"],
    ["move from a missing path", { a: 1 }, [{ op: "move", from: "/b", path: "/c" }],
      'move operation does not apply: doc is missing from path: "/b" ("/b" does not exist)'],
    ["copy from a missing path", { a: 1 }, [{ op: "copy", from: "/b/c", path: "/c" }],
      'copy operation does not apply: doc is missing from path: "/b/c" ("/b" does not exist)'],
    ["move into its own child", { a: { b: {} } }, [{ op: "move", from: "/a", path: "/a/b/c" }],
      'move operation does not apply: cannot move "/a" into its own child "/a/b/c"'],
    ["move past the end of the shortened array", { l: [1, 2] }, [{ op: "move", from: "/l/0", path: "/l/2" }],
      'move operation does not apply: doc is missing path: "/l/2" (index 2 is out of range for the array at "/l" of length 1)'],
    ["a prototype-changing key", { a: 1 }, JSON.parse('[{"op":"add","path":"/__proto__/x","value":1}]') as Json,
      'add operation does not apply: doc is missing path: "/__proto__/x" ("/__proto__" does not exist)'],
  ])("422 for %s", (_name, target, ops, message) => {
    const err = apiErrorOf(() => applyJsonPatch(target, ops));
    expect([err.code, err.reason, err.message, err.details]).toEqual([422, "Invalid", message, undefined]);
  });

  it("renders the 422 as a Status without details", () => {
    const err = apiErrorOf(() => applyJsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'testing value at "/a" failed: expected 2 but found 1',
      reason: "Invalid",
      code: 422,
    });
  });
});
