/**
 * @module
 * `subresources.kubevirt.io` as KubeVirt's virt-api serves them
 * (pkg/virt-api/rest/lifecycle.go): PUT virtualmachines/{name}/start|stop|restart
 * (202) and virtualmachineinstances/{name}/pause|unpause (200). They write
 * only what the VM controller then acts on: the run strategy, or a
 * stateChangeRequest in the VM's status. `kubectl replace --raw …/start -f {}`
 * is then a virtctl.
 */
import { Hono } from "hono";
import { ApiError, badRequest, conflict, type ResourceRef } from "../../shared/k8s/errors";
import { isJsonObject, type Json, type KubeObject } from "../../shared/k8s/object";
import { findObject, getObject, writeObject } from "../objects/client";
import { runStrategyOf } from "../controllers/virtualmachine/vm-run-strategy";
import { stateChangeRequestsOf } from "../controllers/virtualmachine/vm-requests";
import { isVMIFinal } from "../controllers/replicaset/vmi-policy";
import { RESOURCES } from "../controllers/replicaset/replicas-sync";
import { parseJsonOrYaml, readBodyText } from "./body";
import { isConflict, isInvalid } from "../client/errors";
import { patchGuarded } from "../client/patch-guarded";
import { retryOnConflict } from "../client/retry";
import { formatTime } from "../../shared/k8s/time";
import { createObject } from "../objects/create";
import { kindByResource } from "../registry";
import { MIGRATIONS } from "../controllers/migration/migration-controller";
import { checkMigratable } from "./migration-admission";

/** A guarded write lost a race with another writer (usually the VM controller): read again and retry. */
class StaleWrite extends Error {}

/** Runs a guarded write, turning a failed resourceVersion test into StaleWrite. */
async function guarded(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isConflict(err) || (isInvalid(err) && err.message.includes("resourceVersion"))) {
      throw new StaleWrite(err.message);
    }
    throw err;
  }
}

const ATTEMPTS = 5;

const VM_REF: ResourceRef = { group: "kubevirt.io", resource: "virtualmachines" };
const VMI_REF: ResourceRef = { group: "kubevirt.io", resource: "virtualmachineinstances" };

async function options(req: Request): Promise<Record<string, Json>> {
  const text = await readBodyText(req);
  if (text.trim() === "") return {};
  const body = parseJsonOrYaml(text);
  if (!isJsonObject(body)) throw badRequest("the request body must be a JSON object");
  return body;
}


function phaseOf(vmi: KubeObject | undefined): string {
  return (vmi?.status as { phase?: string } | undefined)?.phase ?? "";
}

function strategy(vm: KubeObject): string {
  const s = runStrategyOf(vm);
  if ("error" in s) throw new ApiError(500, "InternalError", s.error);
  return s.runStrategy;
}

/** Patches the VM's status requests, guarded by resourceVersion (KubeVirt tests the old list). */
async function setRequests(env: Env, vm: KubeObject, requests: Json[]): Promise<void> {
  await guarded(() => patchGuarded(env, RESOURCES.vms, vm, [
    { op: "add", path: "/status", value: { ...(isJsonObject(vm.status) ? vm.status : {}), stateChangeRequests: requests } },
  ], "status"));
}

/** Sets the run strategy (or `running`, whichever the VM uses). */
async function setRunStrategy(env: Env, vm: KubeObject, value: "Always" | "Halted"): Promise<void> {
  const spec = isJsonObject(vm.spec) ? vm.spec : {};
  const op: Json = typeof spec.running === "boolean"
    ? { op: "replace", path: "/spec/running", value: value === "Always" }
    : { op: "add", path: "/spec/runStrategy", value };
  await guarded(() => patchGuarded(env, RESOURCES.vms, vm, [op]));
}

async function setVMIGrace(env: Env, vmi: KubeObject, seconds: number): Promise<void> {
  await writeObject(env, { resource: RESOURCES.vmis, namespace: vmi.metadata.namespace ?? "", name: vmi.metadata.name ?? "" }, {
    verb: "patch", patchType: "merge", subresource: "", patch: { spec: { terminationGracePeriodSeconds: seconds } },
  });
}

/** Anything but a lone Stop already queued means another request is in flight. */
function busy(vm: KubeObject, name: string): void {
  const reqs = stateChangeRequestsOf(vm);
  if (reqs.length > 1 || (reqs.length === 1 && reqs[0]?.action !== "Stop")) {
    throw conflict(VM_REF, name, "unable to complete request: stop/start already underway");
  }
}

async function start(env: Env, vm: KubeObject, vmi: KubeObject | undefined, body: Record<string, Json>): Promise<void> {
  const name = vm.metadata.name ?? "";
  const rs = strategy(vm);
  const phase = phaseOf(vmi);
  if (vmi && !isVMIFinal(vmi) && phase !== "" && phase !== "Unknown") throw conflict(VM_REF, name, "VM is already running");
  if (rs === "Always" || rs === "Once") throw conflict(VM_REF, name, `${rs} does not support manual start requests`);
  const paused = body.paused === true;
  if (rs === "Halted") {
    if (!paused) return setRunStrategy(env, vm, "Always");
    busy(vm, name);
    return setRequests(env, vm, [{ action: "Start", data: { paused: "true" } }]);
  }
  if (rs === "RerunOnFailure" && phase === "Failed") {
    throw conflict(VM_REF, name, "RerunOnFailure does not support starting VM from failed state");
  }
  busy(vm, name);
  const requests: Json[] = [];
  const stopFirst = vmi && (rs === "Manual" ? isVMIFinal(vmi) : phase === "Succeeded");
  if (stopFirst && vmi) requests.push({ action: "Stop", uid: vmi.metadata.uid ?? "" });
  requests.push(paused ? { action: "Start", data: { paused: "true" } } : { action: "Start" });
  return setRequests(env, vm, requests);
}

async function stop(env: Env, vm: KubeObject, vmi: KubeObject | undefined, body: Record<string, Json>): Promise<void> {
  const name = vm.metadata.name ?? "";
  const rs = strategy(vm);
  const grace = typeof body.gracePeriod === "number" ? body.gracePeriod : undefined;
  const running = vmi !== undefined && !isVMIFinal(vmi);
  if (rs === "Halted") {
    if (grace === undefined || !running || !vmi) throw conflict(VM_REF, name, "Halted only supports manual stop requests with a shorter graceperiod");
    return setVMIGrace(env, vmi, grace);
  }
  if (!running || !vmi) throw conflict(VM_REF, name, "VM is not running");
  if (grace !== undefined) await setVMIGrace(env, vmi, grace);
  if (rs === "Always" || rs === "Once") return setRunStrategy(env, await getObject(env, { resource: RESOURCES.vms, namespace: vm.metadata.namespace ?? "", name }), "Halted");
  return setRequests(env, vm, [{ action: "Stop", uid: vmi.metadata.uid ?? "" }]);
}

async function restart(env: Env, vm: KubeObject, vmi: KubeObject | undefined, body: Record<string, Json>): Promise<void> {
  const name = vm.metadata.name ?? "";
  const grace = body.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && grace !== 0) {
    throw badRequest("For force restart, only gracePeriod=0 is supported for now");
  }
  const rs = strategy(vm);
  if (rs === "Halted" || rs === "Once") throw conflict(VM_REF, name, `RunStategy ${rs} does not support manual restart requests`);
  if (!vmi || isVMIFinal(vmi)) throw conflict(VM_REF, name, "VM is not running");
  busy(vm, name);
  if (grace === 0) await setVMIGrace(env, vmi, 1);
  return setRequests(env, vm, [{ action: "Stop", uid: vmi.metadata.uid ?? "" }, { action: "Start" }]);
}

async function setPaused(env: Env, vmi: KubeObject | undefined, name: string, pause: boolean): Promise<void> {
  if (!vmi || phaseOf(vmi) !== "Running") throw conflict(VMI_REF, name, "VM is not running");
  const status = isJsonObject(vmi.status) ? vmi.status : {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter(isJsonObject);
  const paused = conditions.some((c) => c.type === "Paused" && c.status === "True");
  if (pause && paused) throw conflict(VMI_REF, name, "VMI is already paused");
  if (!pause && !paused) throw conflict(VMI_REF, name, "VMI is not paused");
  const now = formatTime(Date.now());
  const next = pause
    ? [...conditions, { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user", lastTransitionTime: now, lastProbeTime: null }]
    : conditions.filter((c) => c.type !== "Paused");
  await guarded(() => patchGuarded(env, RESOURCES.vmis, vmi, [{ op: "add", path: "/status/conditions", value: next }], "status"));
}

/** Runs a verb, re-reading and retrying when a guarded write lost a race. */
async function withRetries(run: () => Promise<void>, kind: ResourceRef, name: string): Promise<void> {
  try {
    return await retryOnConflict(run, { attempts: ATTEMPTS, retriable: (err) => err instanceof StaleWrite });
  } catch (err) {
    if (err instanceof StaleWrite) throw conflict(kind, name);
    throw err;
  }
}

/**
 * `migrate` (MigrateVMRequestHandler): 409 "VM is not running" without a
 * Running VMI; otherwise a VirtualMachineInstanceMigration with generateName
 * `kubevirt-migrate-vm-`, through the same webhook checks as a client's create.
 */
async function migrate(env: Env, vm: KubeObject, vmi: KubeObject | undefined): Promise<void> {
  const name = vm.metadata.name ?? "";
  if (!vmi || phaseOf(vmi) !== "Running") throw conflict(VM_REF, name, "VM is not running");
  checkMigratable(vmi);
  const kind = kindByResource(MIGRATIONS);
  if (!kind) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  const namespace = vm.metadata.namespace ?? "";
  await createObject(env, { kind, namespace, generateName: "kubevirt-migrate-vm-" }, {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration",
    metadata: { generateName: "kubevirt-migrate-vm-", namespace }, spec: { vmiName: name },
  });
}

const VM_VERBS = { start, stop, restart, migrate } as const;

/** The subresources.kubevirt.io routes (v1 and v1alpha3). */
export const vmSubresources = new Hono<{ Bindings: Env }>()
  .put("/apis/subresources.kubevirt.io/:version/namespaces/:ns/virtualmachines/:name/:verb", async (c) => {
    const { version, ns, name, verb } = c.req.param();
    if (version !== "v1" && version !== "v1alpha3") throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const action = (VM_VERBS as Record<string, typeof start | undefined>)[verb];
    if (!action) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const body = await options(c.req.raw);
    await withRetries(async () => {
      const vm = await findObject(c.env, { resource: RESOURCES.vms, namespace: ns, name: name });
      if (!vm) throw new ApiError(404, "NotFound", `virtualmachines.kubevirt.io "${name}" not found`, { name, group: "kubevirt.io", kind: "virtualmachines" });
      await action(c.env, vm, await findObject(c.env, { resource: RESOURCES.vmis, namespace: ns, name: name }), body);
    }, VM_REF, name);
    return c.body(null, 202);
  })
  .put("/apis/subresources.kubevirt.io/:version/namespaces/:ns/virtualmachineinstances/:name/:verb", async (c) => {
    const { version, ns, name, verb } = c.req.param();
    if ((version !== "v1" && version !== "v1alpha3") || (verb !== "pause" && verb !== "unpause")) {
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    await options(c.req.raw);
    await withRetries(async () => setPaused(c.env, await findObject(c.env, { resource: RESOURCES.vmis, namespace: ns, name: name }), name, verb === "pause"), VMI_REF, name);
    return c.body(null, 200);
  });
