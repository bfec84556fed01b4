import { describe, expect, it } from "vitest";
import { isJsonObject, type Json, type JsonObject } from "./object";
import type { PatchMeta } from "./resource-kind";
import { applyStrategicMergePatch } from "./strategic-merge-patch";
import { apiErrorOf } from "../../test/api-error";

/** The shape of upstream's strategicpatch test struct, as PatchMeta. */
const meta: PatchMeta = {
  mergingList: { strategy: "merge", mergeKey: "name" },
  "mergingList[].mergingList": { strategy: "merge", mergeKey: "name" },
  "mergingList[].mergingIntList": { strategy: "merge" },
  mergingIntList: { strategy: "merge" },
  nonMergingList: { strategy: "replace" },
  replacedMap: { strategy: "replace" },
  keylessMergingList: { strategy: "merge" },
};

/** Every key of every map in `value` (to prove no directive survives). */
function allKeys(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (!isJsonObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
}

describe("applyStrategicMergePatch: semantics", () => {
  it.each<[string, JsonObject, JsonObject, JsonObject]>([
    ["maps merge recursively", { a: { b: 1, c: 2 }, d: 1 }, { a: { c: 3, e: 4 } }, { a: { b: 1, c: 3, e: 4 }, d: 1 }],
    ["null deletes a field", { a: 1, b: { c: 1, d: 2 } }, { a: null, b: { c: null } }, { b: { d: 2 } }],
    ["null for an absent field is ignored", { a: 1 }, { b: null, c: { d: null, e: 1 } }, { a: 1, c: { e: 1 } }],
    ["a value of another type replaces", { a: { b: 1 }, c: [1] }, { a: "x", c: { d: 1 } }, { a: "x", c: { d: 1 } }],
    ["lists without strategy are replaced", { other: [1, 2], nonMergingList: [{ name: "a" }] },
      { other: [3], nonMergingList: [{ name: "b", v: null }] }, { other: [3], nonMergingList: [{ name: "b" }] }],
    ["merging list: match by key, merge, keep others",
      { mergingList: [{ name: "1", value: "a" }, { name: "2", value: "b" }] },
      { mergingList: [{ name: "2", other: "x", value: null }] },
      { mergingList: [{ name: "1", value: "a" }, { name: "2", other: "x" }] }],
    // Upstream "preserve the order from the patch in a merging list".
    ["patch order wins for named elements",
      { mergingList: [{ name: "1" }, { name: "2", value: "b" }, { name: "3" }] },
      { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }, { name: "2", other: "x" }] },
      { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }, { name: "2", value: "b", other: "x" }] }],
    // Upstream "preserve the order from the patch in a merging list 2".
    ["server-only elements keep their place",
      { mergingList: [{ name: "1" }, { name: "2", value: "b" }, { name: "3" }] },
      { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }] },
      { mergingList: [{ name: "2", value: "b" }, { name: "3", value: "c" }, { name: "1", value: "a" }] }],
    // Without $setElementOrder upstream puts a new element before the server-only ones.
    ["a new element without $setElementOrder goes first",
      { mergingList: [{ name: "a" }, { name: "b" }] }, { mergingList: [{ name: "c" }] },
      { mergingList: [{ name: "c" }, { name: "a" }, { name: "b" }] }],
    ["a merging list is created when absent", {}, { mergingList: [{ name: "a", x: null, y: 1 }] },
      { mergingList: [{ name: "a", y: 1 }] }],
    ["an empty patch list leaves a merging list alone", { mergingList: [{ name: "a" }] }, { mergingList: [] },
      { mergingList: [{ name: "a" }] }],
    ["nested merging lists merge too",
      { mergingList: [{ name: "a", mergingList: [{ name: "x", v: 1 }], mergingIntList: [1] }] },
      { mergingList: [{ name: "a", mergingList: [{ name: "x", w: 2 }], mergingIntList: [2] }] },
      // A value new to a primitive list goes first, like a new map element.
      { mergingList: [{ name: "a", mergingList: [{ name: "x", v: 1, w: 2 }], mergingIntList: [2, 1] }] }],
    ["primitive merging list is a union", { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] },
      { mergingIntList: [1, 2, 3] }],
    // Upstream "preserve the order from the patch in a merging int list" (both rows).
    ["primitive list keeps the patch order", { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1, 2] },
      { mergingIntList: [3, 1, 2] }],
    ["primitive list keeps server-only places", { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] },
      { mergingIntList: [2, 3, 1] }],
    ["$deleteFromPrimitiveList removes values", { mergingIntList: [1, 2, 3] },
      { "$deleteFromPrimitiveList/mergingIntList": [1, 3, 9] }, { mergingIntList: [2] }],
    ["$deleteFromPrimitiveList with additions", { mergingIntList: [1, 2] },
      { mergingIntList: [4], "$deleteFromPrimitiveList/mergingIntList": [1] }, { mergingIntList: [4, 2] }],
    ["$deleteFromPrimitiveList on an absent list is a no-op", { a: 1 },
      { "$deleteFromPrimitiveList/mergingIntList": [1] }, { a: 1 }],
    ["$patch: delete in a merging list deletes the element",
      { mergingList: [{ name: "1" }, { name: "2", value: "a" }, { name: "3" }] },
      { mergingList: [{ name: "1", $patch: "delete" }, { name: "3", $patch: "delete" }] },
      { mergingList: [{ name: "2", value: "a" }] }],
    ["$patch: delete of an absent element is a no-op", { mergingList: [{ name: "1" }] },
      { mergingList: [{ name: "9", $patch: "delete" }] }, { mergingList: [{ name: "1" }] }],
    ["{$patch: replace} replaces a merging list", { mergingList: [{ name: "1" }, { name: "2" }] },
      { mergingList: [{ name: "3", v: null, w: 1 }, { $patch: "replace" }] }, { mergingList: [{ name: "3", w: 1 }] }],
    ["{$patch: replace} alone empties a merging list", { mergingList: [{ name: "1" }] },
      { mergingList: [{ $patch: "replace" }] }, { mergingList: [] }],
    // Upstream returns an empty map for `$patch: delete` on an existing map.
    ["$patch: delete empties a map", { simpleMap: { key1: 1, key2: 1 }, other: 1 },
      { simpleMap: { $patch: "delete" } }, { simpleMap: {}, other: 1 }],
    ["$patch: delete of an absent map adds nothing", { other: 1 }, { simpleMap: { $patch: "delete" } }, { other: 1 }],
    ["$patch: replace replaces a map", { simpleMap: { a: 1, b: { c: 1 } } },
      { simpleMap: { $patch: "replace", b: { d: 2 }, e: null } }, { simpleMap: { b: { d: 2 } } }],
    ["$patch: replace at the root", { name: 1, value: 1 }, { $patch: "replace", other: 2 }, { other: 2 }],
    ["a map with replace strategy is replaced", { replacedMap: { a: 1 } }, { replacedMap: { b: 2 } },
      { replacedMap: { b: 2 } }],
    ["$retainKeys clears unlisted fields", { m: { name: "foo", value: "a", other: "b" } },
      { m: { $retainKeys: ["name", "value"], value: "c" } }, { m: { name: "foo", value: "c" } }],
    ["$retainKeys allows nulls of unlisted fields", { m: { a: 1, b: 2 } },
      { m: { $retainKeys: ["a"], b: null } }, { m: { a: 1 } }],
    // Upstream custom case "$setElementOrder contains item that is not present in the list".
    ["$setElementOrder orders the merged list",
      { mergingList: [{ name: "1" }, { name: "3" }] },
      { "$setElementOrder/mergingList": [{ name: "3" }, { name: "2" }, { name: "1" }],
        mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] },
      { mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] }],
    ["$setElementOrder alone reorders", { mergingIntList: [1, 3] },
      { "$setElementOrder/mergingIntList": [3, 2, 1] }, { mergingIntList: [3, 1] }],
    // "s" came before "b" on the server, so upstream's mergeSortedSlice puts it first.
    ["$setElementOrder keeps server-only elements in place",
      { mergingList: [{ name: "a" }, { name: "s" }, { name: "b" }] },
      { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }, { name: "c" }],
        mergingList: [{ name: "c" }] },
      { mergingList: [{ name: "s" }, { name: "b" }, { name: "a" }, { name: "c" }] }],
    ["$setElementOrder with a deletion",
      { mergingList: [{ name: "a" }, { name: "b" }] },
      { "$setElementOrder/mergingList": [{ name: "b" }], mergingList: [{ name: "a", $patch: "delete" }] },
      { mergingList: [{ name: "b" }] }],
    ["$setElementOrder for an absent list creates it in order", {},
      { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }],
        mergingList: [{ name: "b" }, { name: "z", $patch: "delete" }, { name: "a", x: 1 }] },
      { mergingList: [{ name: "b" }, { name: "a", x: 1 }] }],
    ["$setElementOrder of a replaced list is ignored", { nonMergingList: [1, 2] },
      { "$setElementOrder/nonMergingList": [2, 1], nonMergingList: [3] }, { nonMergingList: [3] }],
    ["directives inside a new element are resolved",
      { mergingList: [] },
      { mergingList: [{ name: "a", "$setElementOrder/mergingList": [{ name: "y" }, { name: "x" }],
        mergingList: [{ name: "y" }, { name: "x" }, { name: "z", $patch: "delete" }], m: { $patch: "delete" } }] },
      { mergingList: [{ name: "a", mergingList: [{ name: "y" }, { name: "x" }] }] }],
    ["unknown $-keys are ordinary fields, as upstream", { a: 1 }, { $other: 1 }, { a: 1, $other: 1 }],
  ])("%s", (_name, original, patch, expected) => {
    const before = structuredClone([original, patch]);
    const result = applyStrategicMergePatch(original, patch, meta);
    expect(result).toEqual(expected);
    expect([original, patch]).toEqual(before);
    const directives = allKeys(result).filter((k) => /^\$(patch|retainKeys|setElementOrder|deleteFromPrimitiveList)/.test(k));
    expect(directives).toEqual([]);
  });

  it("shares no structure with its inputs", () => {
    const original: JsonObject = { a: { b: [1] } };
    const patch: JsonObject = { c: { d: [2] } };
    const result = applyStrategicMergePatch(original, patch, meta) as { a: { b: number[] }; c: { d: number[] } };
    result.a.b.push(9);
    result.c.d.push(9);
    expect([original, patch]).toEqual([{ a: { b: [1] } }, { c: { d: [2] } }]);
  });
});

describe("applyStrategicMergePatch: errors", () => {
  it.each<[string, JsonObject, JsonObject, number, string]>([
    ["unknown $patch on a map", { m: { a: 1 } }, { m: { $patch: "merge" } }, 400,
      'unknown patch type: "merge" in map: {"$patch":"merge"} at m ($patch must be "replace" or "delete")'],
    ["unknown $patch in a list", { mergingList: [] }, { mergingList: [{ name: "a", $patch: "zap" }] }, 400,
      'unknown patch type: "zap" in map: {"name":"a","$patch":"zap"} at mergingList ($patch must be "replace" or "delete")'],
    ["$patch: merge in a list", { mergingList: [{ name: "a" }] }, { mergingList: [{ $patch: "merge" }] }, 400,
      "merging lists cannot yet be specified in the patch (at mergingList)"],
    ["missing merge key", { mergingList: [{ name: "1", value: "a" }] }, { mergingList: [{ value: "b" }] }, 400,
      'map: {"value":"b"} does not contain declared merge key: name (in list mergingList)'],
    ["delete without merge key", { mergingList: [{ name: "1" }] }, { mergingList: [{ $patch: "delete" }] }, 400,
      'map: {"$patch":"delete"} does not contain declared merge key: name (in list mergingList)'],
    ["merge list of maps without a merge key", { keylessMergingList: [{ a: 1 }] }, { keylessMergingList: [{ a: 2 }] },
      400, "cannot merge lists without merge key for keylessMergingList"],
    ["list of lists", { mergingIntList: [[1]] }, { mergingIntList: [[2]] }, 422,
      "lists of lists are not supported (at mergingIntList)"],
    ["mixed element types", { mergingIntList: [1] }, { mergingIntList: [{ a: 1 }] }, 400,
      'list element types are not identical in mergingIntList: [1] and [{"a":1}]'],
    // Upstream custom case "should check if order in $setElementOrder and patch list match".
    ["$setElementOrder disagrees with the patch order", { mergingList: [{ name: "1" }, { name: "3" }, { name: "2" }] },
      { "$setElementOrder/mergingList": [{ name: "1" }, { name: "2" }, { name: "3" }],
        mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] }, 400,
      'The order in patch list: [{"name":"3","value":"3"},{"name":"1","value":"1"}] doesn\'t match $setElementOrder list: ' +
        '[{"name":"1"},{"name":"2"},{"name":"3"}] (at mergingList)'],
    ["$setElementOrder names an element the patch lacks", { mergingIntList: [1, 3, 2] },
      { "$setElementOrder/mergingIntList": [1, 2, 3], mergingIntList: [3, 1] }, 400,
      "The order in patch list: [3,1] doesn't match $setElementOrder list: [1,2,3] (at mergingIntList)"],
    ["$setElementOrder element without merge key", { mergingList: [] },
      { "$setElementOrder/mergingList": [{ value: 1 }], mergingList: [{ name: "a" }] }, 400,
      'map: {"value":1} does not contain declared merge key: name (in list mergingList)'],
    ["$setElementOrder is not a list", {}, { "$setElementOrder/mergingList": { name: "a" } }, 400,
      "invalid patch format of setElementOrder list: $setElementOrder/mergingList at <root> must be a list"],
    ["$setElementOrder without a field", {}, { $setElementOrder: [] }, 400,
      'invalid patch format of setElementOrder list: "$setElementOrder" at <root> must be "$setElementOrder/<field>"'],
    ["$setElementOrder with a wrong prefix", {}, { "$setElementOrderX/a": [] }, 400,
      'invalid patch format of setElementOrder list: "$setElementOrderX/a" at <root> must be "$setElementOrder/<field>"'],
    ["$setElementOrder for a non-list field", {}, { "$setElementOrder/mergingList": [], mergingList: 3 }, 400,
      "invalid patch format of setElementOrder list: mergingList must be a list to be ordered by $setElementOrder/mergingList"],
    ["$deleteFromPrimitiveList is not a list", { mergingIntList: [1] },
      { "$deleteFromPrimitiveList/mergingIntList": 1 }, 400,
      "invalid patch format of primitive list: $deleteFromPrimitiveList/mergingIntList for mergingIntList must be a list of primitive values"],
    ["$deleteFromPrimitiveList of maps", { m: { l: [1] } }, { m: { "$deleteFromPrimitiveList/l": [{ a: 1 }] } }, 400,
      "invalid patch format of primitive list: $deleteFromPrimitiveList/l for m.l must be a list of primitive values"],
    ["$deleteFromPrimitiveList without a field", {}, { "$deleteFromPrimitiveList/": [1] }, 400,
      'invalid patch format of primitive list: "$deleteFromPrimitiveList/" at <root> must be "$deleteFromPrimitiveList/<field>"'],
    ["$retainKeys is not a list", { m: {} }, { m: { $retainKeys: "a" } }, 400,
      "invalid patch format of retainKeys: $retainKeys at m must be a list of field names"],
    ["$retainKeys misses a patched field", { m: {} }, { m: { $retainKeys: ["a"], a: 1, b: 2 } }, 400,
      'invalid patch format of retainKeys: field "b" at m is set but not listed in $retainKeys'],
  ])("%s", (_name, original, patch, code, message) => {
    const err = apiErrorOf(() => applyStrategicMergePatch(original, patch, meta));
    expect([err.code, err.reason, err.message]).toEqual([code, code === 400 ? "BadRequest" : "Invalid", message]);
  });
});
