/**
 * @module
 * Hash routes (#/hosts, #/workloads/<ns>/<kind>, #/obj/<kind>/<ns>/<name>, …):
 * every page is the one index.html the assets serve, with no server-side
 * fallback needed.
 */
import { useEffect, useState } from "preact/hooks";

/** The current route's path segments, decoded. */
export function parseRoute(hash = location.hash): string[] {
  return hash.replace(/^#\/?/, "").split("/").filter((s) => s !== "").map(decodeURIComponent);
}

/** A link's href for path segments. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

/** Goes to the route of `segments`. */
export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}

/** Re-renders on every route change. */
export function useRoute(): string[] {
  const [route, setRoute] = useState(parseRoute());
  useEffect(() => {
    const on = () => setRoute(parseRoute());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** The namespace the user last chose (kept across views). */
export function lastNamespace(): string {
  return sessionStorage.getItem("duraplane.ns") ?? "default";
}
/** Keeps `ns` as the namespace the shortcuts and nav links open. */
export function rememberNamespace(ns: string): void {
  sessionStorage.setItem("duraplane.ns", ns);
}
