/**
 * @module
 * Creating an object by name or by generateName (upstream's
 * SimpleNameGenerator: base + 5 random characters, retried on a clash). Used
 * by the API front and by controllers, so both go through the same path.
 */
import type { RbacGuard } from "../rbac/escalation";
import { isAlreadyExists } from "../client/errors";
import type { Json } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { resourceKey } from "../registry";
import { writeObject, type Written } from "./client";

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATED_NAME_PREFIX = 63 - 5;
const GENERATE_NAME_ATTEMPTS = 8;

/** upstream's SimpleNameGenerator: base (truncated) + 5 random characters. */
export function generateName(base: string): string {
  const prefix = base.length > MAX_GENERATED_NAME_PREFIX ? base.slice(0, MAX_GENERATED_NAME_PREFIX) : base;
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  let suffix = "";
  for (const b of bytes) suffix += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return prefix + suffix;
}

/** Where and how to create. */
export interface CreateTarget {
  kind: ResourceKind;
  namespace: string;
  /** Exactly one of name / generateName. */
  name?: string;
  generateName?: string;
  dryRun?: boolean;
  strict?: boolean;
  /** Escalation prevention's guard, for an RBAC object (rbac/escalation.ts). */
  rbacGuard?: RbacGuard;
  /** The field manager managedFields records the create under (write-handlers: fieldManager or the user agent). */
  manager?: string;
}

/** Creates `body`, drawing a fresh name on AlreadyExists when it came from generateName. */
export async function createObject(env: Env, target: CreateTarget, body: Json): Promise<Written> {
  const resource = resourceKey(target.kind);
  const namespace = target.kind.namespaced ? target.namespace : "";
  for (let attempt = 1; ; attempt++) {
    const name = target.name ?? generateName(target.generateName ?? "");
    try {
      return await writeObject(env, { resource, namespace, name }, {
        verb: "create", input: body, uid: crypto.randomUUID(), dryRun: target.dryRun, strict: target.strict,
        ...(target.manager === undefined ? {} : { manager: target.manager }),
        ...(target.rbacGuard ? { rbacGuard: target.rbacGuard } : {}),
      });
    } catch (err) {
      if (!isAlreadyExists(err) || target.name !== undefined || attempt >= GENERATE_NAME_ATTEMPTS) throw err;
    }
  }
}
