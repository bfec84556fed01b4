/**
 * @module
 * Finding list elements by identity in constant time. The patch engines
 * match elements by merge key (containers by name, finalizers by value);
 * scanning the list for each element made a merge O(n²) — 8,000 finalizers
 * took seconds inside the object's Durable Object. Identities are compared
 * as JSON values (`jsonEqual`), so they are keyed by a canonical text with
 * object keys sorted.
 */
import { elementIdentity } from "./strategic-merge-patch-directives";
import { isJsonObject, type Json } from "./object";

/** A text equal for two JSON values exactly when `jsonEqual` holds for them. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The key of an element's identity, or undefined when it has none (a map without the merge key). */
export function identityKey(element: Json, mergeKey: string | undefined): string | undefined {
  const id = elementIdentity(element, mergeKey);
  return id === undefined ? undefined : canonicalJson(id);
}

/** The first position of each identity in a list, kept up to date as elements are appended. */
export class ElementIndex {
  private readonly first = new Map<string, number>();

  constructor(
    list: readonly Json[],
    private readonly mergeKey: string | undefined,
  ) {
    list.forEach((element, at) => this.add(element, at));
  }

  /** Position of the first element with `element`'s identity, or -1 (as `indexOfElement`). */
  indexOf(element: Json): number {
    const key = identityKey(element, this.mergeKey);
    return key === undefined ? -1 : (this.first.get(key) ?? -1);
  }

  /** Records `element` at position `at` unless its identity is already known. */
  add(element: Json, at: number): void {
    const key = identityKey(element, this.mergeKey);
    if (key !== undefined && !this.first.has(key)) this.first.set(key, at);
  }
}
