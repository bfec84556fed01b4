/**
 * @module
 * The LimitRanger admission plugin (plugin/pkg/admission/limitranger), pure:
 * on create, Container items fill each container's missing limits
 * (`default`) and requests (`defaultRequest`), recorded in the
 * `kubernetes.io/limit-ranger` annotation; then `min`, `max` and
 * `maxLimitRequestRatio` are enforced per container (Container items) and
 * over the pod's sums (Pod items), with upstream's messages. A VMI goes
 * through the same code: its `spec.domain.resources` is its one container.
 */
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/k8s/object";
import { amountOf, amountsOf, formatAmount, type Amounts } from "../../shared/k8s/quota-amount";
import type { LimitRangeItem } from "../../shared/schemas";
import { podLimits, podRequests } from "./pod-resources";

/** The annotation LimitRanger writes on the pods it defaulted. */
export const LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger";

/** A container's name, its (mutable) `resources` object, and what the annotation calls it. */
interface Slot {
  name: string;
  resources: JsonObject;
  prefix: string;
}

function member(obj: JsonObject, key: string): JsonObject {
  const v = obj[key];
  if (isJsonObject(v)) return v;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

/** The slots of a pod (containers, then init containers) or of a VMI (its domain). */
function slotsOf(resource: string, obj: KubeObject): Slot[] {
  if (!isJsonObject(obj.spec)) return [];
  const spec = obj.spec;
  if (resource === "kubevirt.io/virtualmachineinstances") {
    return [{ name: "compute", resources: member(member(spec, "domain"), "resources"), prefix: "domain" }];
  }
  const slots: Slot[] = [];
  for (const [key, prefix] of [["containers", "container"], ["initContainers", "init container"]] as const) {
    const list = spec[key];
    for (const c of Array.isArray(list) ? list : []) {
      if (isJsonObject(c)) slots.push({ name: typeof c.name === "string" ? c.name : "", resources: member(c, "resources"), prefix });
    }
  }
  return slots;
}

/** Whether LimitRanger handles objects of this registry key. */
export function limitRangerHandles(resource: string): boolean {
  return resource === "/pods" || resource === "kubevirt.io/virtualmachineinstances";
}

/**
 * `defaultContainerResourceRequirements` (every Container item's `default`
 * and `defaultRequest`, later items winning) merged into each container
 * missing them (`mergeContainerResources`), noted in the annotation as
 * upstream words it.
 */
export function applyLimitDefaults(resource: string, obj: KubeObject, items: readonly LimitRangeItem[]): void {
  const limits: Record<string, string | number> = {};
  const requests: Record<string, string | number> = {};
  for (const item of items.filter((i) => i.type === "Container")) {
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  const notes: string[] = [];
  for (const slot of slotsOf(resource, obj)) {
    const set = (part: "limits" | "requests", defaults: Record<string, string | number>): string[] => {
      const list = member(slot.resources, part);
      const names = Object.keys(defaults).filter((k) => !(k in list));
      for (const k of names) list[k] = defaults[k] ?? "0";
      if (Object.keys(list).length === 0) delete slot.resources[part];
      return names.sort();
    };
    const setLimits = set("limits", limits);
    const setRequests = set("requests", requests);
    if (setRequests.length > 0) notes.push(`${setRequests.join(", ")} request for ${slot.prefix} ${slot.name}`);
    if (setLimits.length > 0) notes.push(`${setLimits.join(", ")} limit for ${slot.prefix} ${slot.name}`);
  }
  if (notes.length > 0) {
    obj.metadata.annotations = { ...obj.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join("; ")}` };
  }
}

const q = (v: string | number): string => formatAmount(amountOf(v));

function constraints(type: string, item: LimitRangeItem, requests: Amounts, limits: Amounts, raw: { req: JsonObject; lim: JsonObject }): string[] {
  const errs: string[] = [];
  const shown = (list: JsonObject, k: string): string => q(list[k] as string | number);
  for (const [k, v] of Object.entries(item.min ?? {}).sort()) {
    const min = amountOf(v).milli;
    const req = requests[k];
    const lim = limits[k];
    if (!req) errs.push(`minimum ${k} usage per ${type} is ${q(v)}.  No request is specified`);
    else if (req.milli < min) errs.push(`minimum ${k} usage per ${type} is ${q(v)}, but request is ${shown(raw.req, k)}`);
    else if (lim && lim.milli < min) errs.push(`minimum ${k} usage per ${type} is ${q(v)}, but limit is ${shown(raw.lim, k)}`);
  }
  for (const [k, v] of Object.entries(item.max ?? {}).sort()) {
    const max = amountOf(v).milli;
    const req = requests[k];
    const lim = limits[k];
    if (!lim) errs.push(`maximum ${k} usage per ${type} is ${q(v)}.  No limit is specified`);
    else if (lim.milli > max) errs.push(`maximum ${k} usage per ${type} is ${q(v)}, but limit is ${shown(raw.lim, k)}`);
    else if (req && req.milli > max) errs.push(`maximum ${k} usage per ${type} is ${q(v)}, but request is ${shown(raw.req, k)}`);
  }
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {}).sort()) {
    const req = requests[k];
    const lim = limits[k];
    if (!req || req.milli === 0) errs.push(`${k} max limit to request ratio per ${type} is ${q(v)}, but no request is specified or request is 0`);
    else if (!lim || lim.milli === 0) errs.push(`${k} max limit to request ratio per ${type} is ${q(v)}, but no limit is specified or limit is 0`);
    else if (lim.milli / req.milli > amountOf(v).milli / 1000) {
      errs.push(`${k} max limit to request ratio per ${type} is ${q(v)}, but provided ratio is ${(lim.milli / req.milli).toFixed(6)}`);
    }
  }
  return errs;
}

function formatted(list: Amounts): JsonObject {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, formatAmount(v)]));
}

/** LimitRanger's Validate: every refusal, in order (none: admitted). */
export function limitRangeViolations(resource: string, obj: KubeObject, items: readonly LimitRangeItem[]): string[] {
  const errs: string[] = [];
  for (const item of items) {
    if (item.type === "Container") {
      for (const slot of slotsOf(resource, obj)) {
        const lim = isJsonObject(slot.resources.limits) ? slot.resources.limits : {};
        // Requests default to limits (upstream's defaulter runs before admission).
        const req = { ...lim, ...(isJsonObject(slot.resources.requests) ? slot.resources.requests : {}) };
        errs.push(...constraints("Container", item, amountsOf(req), amountsOf(lim), { req, lim }));
      }
    } else if (item.type === "Pod") {
      const requests = resource === "/pods" ? podRequests(obj) : amountsOf(slotsOf(resource, obj)[0]?.resources.requests as JsonObject | undefined);
      const limits = resource === "/pods" ? podLimits(obj) : amountsOf(slotsOf(resource, obj)[0]?.resources.limits as JsonObject | undefined);
      errs.push(...constraints("Pod", item, requests, limits, { req: formatted(requests), lim: formatted(limits) }));
    }
  }
  return errs;
}

/** `utilerrors.NewAggregate(errs).Error()`: one message alone, several in brackets, duplicates once. */
export function aggregateMessage(errs: readonly string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? (unique[0] ?? "") : `[${unique.join(", ")}]`;
}
