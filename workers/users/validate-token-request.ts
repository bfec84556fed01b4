/**
 * @module
 * What a user token may name. Upstream's static token file accepts any user
 * and group; we refuse only the names other authenticators own, so a static
 * token can never pass for a node, a ServiceAccount or the anonymous user —
 * identities the authorizers treat specially. `system:masters` and other
 * `system:` names stay allowed (the token file's classic use).
 */
import type { StatusCause } from "../../shared/k8s/errors";
import { parseGoDuration } from "../../shared/k8s/go-duration";
import type { UserTokenRequest } from "../../shared/users/tokens";

/** The shortest ttl: a second (tests, demos). */
export const MIN_TTL_MS = 1000;
/** The longest ttl: ten years, which catches a slip of the keyboard; a token meant to live longer omits the ttl. */
export const MAX_TTL_MS = 87_600 * 3_600_000;
const MAX_NAME_LENGTH = 256;

/** Usernames another authenticator issues (NodeRestriction, ServiceAccount tokens, anonymous requests). */
const RESERVED_USER_PREFIXES: readonly [string, string][] = [
  ["system:node:", "node identities come from joining a host (POST /apis/hosts.duraplane.io/v1/join)"],
  ["system:serviceaccount:", "ServiceAccount identities come from ServiceAccount tokens (kubectl create token)"],
];
const RESERVED_USERS: Record<string, string> = { "system:anonymous": "it is the identity of unauthenticated requests" };
/** Groups another authenticator assigns. */
const RESERVED_GROUPS: Record<string, string> = {
  "system:nodes": "it is the group of node identities, assigned when a host joins",
  "system:serviceaccounts": "it is the group of ServiceAccount identities",
  "system:unauthenticated": "it is the group of unauthenticated requests",
};

function nameProblem(value: string): string | undefined {
  if (value === "") return "Required value";
  if (value.length > MAX_NAME_LENGTH) return `must be no more than ${MAX_NAME_LENGTH} characters`;
  // Names end up in audit rows, tables and kubectl's output: no line breaks or other control characters.
  if (/[\u0000-\u001f\u007f]/.test(value)) return "must not contain control characters";
  return undefined;
}

function cause(field: string, value: string, message: string): StatusCause {
  return value === ""
    ? { reason: "FieldValueRequired", field, message: "Required value" }
    : { reason: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` };
}

/** The request's problems as Status causes (empty when valid), and the ttl in ms when one was given. */
export function validateTokenRequest(req: UserTokenRequest): { causes: StatusCause[]; ttlMs?: number } {
  const causes: StatusCause[] = [];
  const userProblem = nameProblem(req.user);
  const prefix = RESERVED_USER_PREFIXES.find(([p]) => req.user.startsWith(p));
  if (userProblem) causes.push(cause("user", req.user, userProblem));
  else if (prefix) causes.push(cause("user", req.user, `usernames starting with "${prefix[0]}" are reserved: ${prefix[1]}`));
  else if (RESERVED_USERS[req.user]) causes.push(cause("user", req.user, `this username is reserved: ${RESERVED_USERS[req.user]}`));

  const seen = new Set<string>();
  (req.groups ?? []).forEach((group, i) => {
    const field = `groups[${i}]`;
    const problem = nameProblem(group);
    const reserved = RESERVED_GROUPS[group] ?? (group.startsWith("system:serviceaccounts:") ? "it is the group of a namespace's ServiceAccounts" : undefined);
    if (problem) causes.push(cause(field, group, problem));
    else if (reserved) causes.push(cause(field, group, `this group is reserved: ${reserved}`));
    else if (seen.has(group)) causes.push({ reason: "FieldValueDuplicate", field, message: `Duplicate value: ${JSON.stringify(group)}` });
    seen.add(group);
  });

  if (req.ttl === undefined) return { causes };
  const parsed = parseGoDuration(req.ttl);
  if (!parsed.ok) {
    const hint = /unknown unit "d"/.test(parsed.message) ? " (Go durations have no days: use hours, e.g. 168h for 7 days)" : " (a Go duration such as 90m, 24h or 1h30m)";
    causes.push(cause("ttl", req.ttl, `${parsed.message}${hint}`));
    return { causes };
  }
  if (parsed.ms < MIN_TTL_MS || parsed.ms > MAX_TTL_MS) {
    causes.push(cause("ttl", req.ttl, "must be from 1s to 87600h (ten years); omit ttl for a token that never expires"));
    return { causes };
  }
  return { causes, ttlMs: Math.round(parsed.ms) };
}
