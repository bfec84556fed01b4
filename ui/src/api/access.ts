/**
 * @module
 * What the user may do, asked of the API with SelfSubjectAccessReviews
 * (`kubectl auth can-i`) and cached for the session: an action is shown only
 * when the API would allow it.
 */
import { request } from "./client";

/** A SelfSubjectAccessReview's resourceAttributes. */
export interface AccessQuery { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }

const cache = new Map<string, Promise<boolean>>();

interface Review { status?: { allowed?: boolean } }

/** Whether the API allows `q` for the session's user. */
export function can(q: AccessQuery): Promise<boolean> {
  const key = JSON.stringify(q);
  let answer = cache.get(key);
  if (!answer) {
    answer = request<Review>("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: q },
    }).then((r) => r.status?.allowed === true, () => false);
    cache.set(key, answer);
  }
  return answer;
}

/** Forgets every answer (a new login). */
export function forgetAccess(): void {
  cache.clear();
}
