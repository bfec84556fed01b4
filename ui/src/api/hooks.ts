/**
 * @module
 * Preact hooks over the shared informers and access reviews.
 */
import { useEffect, useState } from "preact/hooks";
import type { ApiError, KObj } from "./client";
import { informerFor, release } from "./informer";
import { type AccessQuery, can } from "./access";

/** A live collection: re-renders the caller whenever it changes. */
export interface LiveList { items: KObj[]; synced: boolean; error: ApiError | undefined }

/** The objects at `path` (a collection path), live; `undefined` path means none. */
export function useList(path: string | undefined): LiveList {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    const inf = informerFor(path);
    const off = inf.subscribe(() => setTick((n) => n + 1));
    setTick((n) => n + 1);
    return () => {
      off();
      release(path);
    };
  }, [path]);
  if (!path) return { items: [], synced: true, error: undefined };
  const inf = informerFor(path);
  return { items: [...inf.items.values()], synced: inf.synced, error: inf.error };
}

/** Whether the user may do `q` (a SelfSubjectAccessReview, cached per session); false until answered. */
export function useCan(q: AccessQuery | undefined): boolean {
  const [allowed, setAllowed] = useState(false);
  const key = q ? JSON.stringify(q) : "";
  useEffect(() => {
    if (!q) return undefined;
    let alive = true;
    can(q).then((ok) => alive && setAllowed(ok), () => alive && setAllowed(false));
    return () => {
      alive = false;
    };
  }, [key]);
  return allowed;
}
