/**
 * @module
 * The quota policies by name: one line each (docs/quotas.md). A quota
 * chooses one with the annotation `quota.duraplane.io/policy`.
 */
import type { QuotaPolicy } from "../policy";
import { overcommitPolicy } from "./overcommit";
import { standardPolicy } from "./standard";
import { vmGuestPolicy } from "./vm-guest";

/** Every policy, by the name a quota's annotation gives. */
export const POLICIES: Readonly<Record<string, QuotaPolicy>> = {
  standard: standardPolicy,
  "vm-guest": vmGuestPolicy,
  overcommit: overcommitPolicy,
};
