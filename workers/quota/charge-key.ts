/**
 * @module
 * The key a charge is kept under: the object's registry key, namespace and
 * name ("group/plural/namespace/name"), so one set can span namespaces.
 */

/** The key of an object's charges: "group/plural/namespace/name". */
export function chargeKey(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}

/** The namespace in a charge key (the part before the name; namespaces and names have no "/"). */
export function namespaceOfKey(key: string): string {
  const parts = key.split("/");
  return parts[parts.length - 2] ?? "";
}
