/**
 * @module
 * Builders for the controller tests (sample-controller style: seed owners
 * and children as plain JSON, run one decision, compare outputs). Not used
 * by production code.
 */
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { newControllerRef } from "../replicaset/replicas";
import { formatTime } from "../../../shared/k8s/time";

/** The fixed "now" of every test. */
export const NOW = new Date("2026-03-01T12:00:00Z");

/** `NOW` minus `seconds`, as a metav1.Time string. */
export function ago(seconds: number): string {
  return formatTime(NOW.getTime() - seconds * 1000);
}

/** Options shared by the child builders. */
interface ChildOptions {
  uid?: string;
  namespace?: string;
  labels?: Record<string, string>;
  /** Controller owner; `null` for an orphan. Defaults to none. */
  owner?: KubeObject | null;
  deleting?: boolean;
  /** creationTimestamp, seconds before NOW. */
  age?: number;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

function meta(name: string, o: ChildOptions): KubeObject["metadata"] {
  const m: KubeObject["metadata"] = { name, namespace: o.namespace ?? "default", uid: o.uid ?? `uid-${name}` };
  m.labels = o.labels ?? { app: "web" };
  if (o.annotations !== undefined) m.annotations = o.annotations;
  if (o.owner) m.ownerReferences = [newControllerRef(o.owner)];
  if (o.deleting === true) m.deletionTimestamp = ago(1);
  if (o.age !== undefined) m.creationTimestamp = ago(o.age);
  if (o.finalizers !== undefined) m.finalizers = o.finalizers;
  return m;
}

/** Pod options. */
export interface PodOptions extends ChildOptions {
  phase?: string;
  /** Ready=True since this many seconds; `false` for Ready=False; omitted for no condition. */
  readyFor?: number | false;
  node?: string;
  restarts?: number;
}

/** A Pod owned (or not) by a ReplicaSet. */
export function pod(name: string, o: PodOptions = {}): KubeObject {
  const status: JsonObject = { phase: o.phase ?? "Running" };
  if (o.readyFor !== undefined) {
    status.conditions = [
      o.readyFor === false
        ? { type: "Ready", status: "False", lastTransitionTime: ago(600) }
        : { type: "Ready", status: "True", lastTransitionTime: ago(o.readyFor) },
    ];
  }
  if (o.restarts !== undefined) status.containerStatuses = [{ name: "c", restartCount: o.restarts }];
  const spec: JsonObject = { containers: [{ name: "c", image: "nginx" }] };
  if (o.node !== undefined) spec.nodeName = o.node;
  return { apiVersion: "v1", kind: "Pod", metadata: meta(name, o), spec, status };
}

/** ReplicaSet options. */
export interface ReplicaSetOptions {
  replicas?: number;
  minReadySeconds?: number;
  selector?: JsonObject;
  templateLabels?: Record<string, string>;
  generation?: number;
  status?: JsonObject;
  deleting?: boolean;
}

/** An apps/v1 ReplicaSet selecting `app=web`. */
export function replicaSet(name: string, o: ReplicaSetOptions = {}): KubeObject {
  const spec: JsonObject = {
    selector: o.selector ?? { matchLabels: { app: "web" } },
    template: { metadata: { labels: o.templateLabels ?? { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
  };
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  if (o.minReadySeconds !== undefined) spec.minReadySeconds = o.minReadySeconds;
  const rs: KubeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: o.generation ?? 1 },
    spec,
  };
  if (o.status !== undefined) rs.status = o.status;
  if (o.deleting === true) rs.metadata.deletionTimestamp = ago(1);
  return rs;
}

/** VMI options. */
export interface VMIOptions extends ChildOptions {
  phase?: string;
  /** Ready condition status ("True"/"False"), optionally with a reason. */
  ready?: "True" | "False";
  readyReason?: string;
  /** Extra conditions. */
  conditions?: JsonObject[];
  /** Record a Running phase transition (the VMI has run at some point). */
  hasRun?: boolean;
  migrationState?: JsonObject;
}

/** A kubevirt.io/v1 VirtualMachineInstance. */
export function vmi(name: string, o: VMIOptions = {}): KubeObject {
  const conditions: JsonObject[] = [];
  if (o.ready !== undefined) {
    const c: JsonObject = { type: "Ready", status: o.ready, lastProbeTime: null, lastTransitionTime: ago(30) };
    if (o.readyReason !== undefined) c.reason = o.readyReason;
    conditions.push(c);
  }
  conditions.push(...(o.conditions ?? []));
  const status: JsonObject = { phase: o.phase ?? "Running" };
  if (conditions.length > 0) status.conditions = conditions;
  if (o.hasRun === true) status.phaseTransitionTimestamps = [{ phase: "Running", phaseTransitionTimestamp: ago(60) }];
  if (o.migrationState !== undefined) status.migrationState = o.migrationState;
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: meta(name, o), spec: { domain: {} }, status };
}

/** VMIRS options. */
export interface VMIRSOptions {
  replicas?: number;
  paused?: boolean;
  status?: JsonObject;
  templateMeta?: JsonObject;
}

/** A kubevirt.io/v1 VirtualMachineInstanceReplicaSet selecting `app=web`. */
export function vmirs(name: string, o: VMIRSOptions = {}): KubeObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: o.templateMeta ?? { labels: { app: "web" } }, spec: { domain: { devices: {} } } },
  };
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  if (o.paused !== undefined) spec.paused = o.paused;
  const rs: KubeObject = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceReplicaSet",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1 },
    spec,
  };
  if (o.status !== undefined) rs.status = o.status;
  return rs;
}

/** VM options. */
export interface VMOptions {
  runStrategy?: string;
  running?: boolean;
  status?: JsonObject;
  deleting?: boolean;
  finalizers?: string[];
  generation?: number;
}

/** A kubevirt.io/v1 VirtualMachine named `vm1` unless given, with the controller finalizer already added. */
export function vm(o: VMOptions = {}, name = "vm1"): KubeObject {
  const spec: JsonObject = {
    template: { metadata: { labels: { kubevirt: "vm1" }, annotations: { note: "x" } }, spec: { domain: { devices: {} } } },
  };
  if (o.runStrategy !== undefined) spec.runStrategy = o.runStrategy;
  if (o.running !== undefined) spec.running = o.running;
  const obj: KubeObject = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      generation: o.generation ?? 1,
      finalizers: o.finalizers ?? ["kubevirt.io/virtualMachineControllerFinalize"],
    },
    spec,
  };
  if (o.status !== undefined) obj.status = o.status;
  if (o.deleting === true) obj.metadata.deletionTimestamp = ago(1);
  return obj;
}

/** Names of a list of objects, for compact assertions. */
export function names(objs: readonly KubeObject[]): string[] {
  return objs.map((o) => o.metadata.name ?? "");
}
