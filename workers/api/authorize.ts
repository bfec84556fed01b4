/**
 * @module
 * The authorization filter every authenticated request passes (invariant:
 * nothing answers without authentication and authorization): impersonation
 * first, then the decision on the (possibly impersonated) caller. Callers
 * bound to a Node are decided by NodeRestriction (node-authorizer.ts)
 * instead; everyone else by RBAC (workers/rbac), system:masters always allowed.
 */
import type { Context, Next } from "hono";
import { auditNotesOf } from "../audit/audit-middleware";
import type { UserInfo } from "./auth";
import { impersonatedUser, impersonationChecks, impersonationDenied, impersonationOf } from "./impersonation";
import { attributesOf } from "../rbac/attributes";
import { decide } from "../rbac/decisions";
import { forbiddenRequest } from "../rbac/forbidden";
import { markRbacStale } from "../rbac/rbac-snapshot";
import { RBAC_GROUP } from "../rbac/policy";
import type { RbacGuard } from "../rbac/escalation";
import { rbacGuardFor } from "./rbac-guard";

/** The context variable holding a write's escalation guard, for the handler to hand the store. */
export interface RbacGuardVariables {
  rbacGuard?: RbacGuard;
}

type AuthorizeEnv = { Bindings: Env; Variables: { user: UserInfo } & RbacGuardVariables };

/** Hands work that may outlive the response to the runtime (waitUntil), when there is one. */
export function backgroundOf(c: Context): (p: Promise<unknown>) => void {
  return (p) => {
    try {
      c.executionCtx.waitUntil(p);
    } catch {
      // No execution context (a direct app.fetch in a test): the promise already handles its own failure.
    }
  };
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Hono middleware: impersonation, then authorization; a write to an RBAC object refreshes this isolate's view of RBAC. */
export async function authorizeRequest(c: Context<AuthorizeEnv>, next: Next): Promise<Response | void> {
  const real = c.get("user");
  if (!real) return next();
  const background = backgroundOf(c);
  const impersonation = impersonationOf(c.req.raw.headers);
  if (impersonation) {
    for (const attrs of impersonationChecks(impersonation)) {
      const decision = await decide(c.env, real, attrs, background);
      if (!decision.allowed) throw impersonationDenied(real, attrs, decision.reason);
    }
    const notes = auditNotesOf(c.req.raw);
    if (notes) notes.impersonator = real;
    c.set("user", impersonatedUser(impersonation));
  }
  const user = c.get("user");
  if (user.node !== undefined) return next();
  const url = new URL(c.req.url);
  const attrs = attributesOf(c.req.method, url);
  const decision = await decide(c.env, user, attrs, background);
  if (!decision.allowed) throw forbiddenRequest(user.username, attrs, decision.reason);
  const guard = await rbacGuardFor(c.env, c.req.raw, background, user, attrs);
  if (guard) c.set("rbacGuard", guard);
  await next();
  if (attrs.resourceRequest && attrs.apiGroup === RBAC_GROUP && WRITES.has(c.req.method)) markRbacStale();
}
