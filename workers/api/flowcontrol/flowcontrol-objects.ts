/**
 * @module
 * The API Priority and Fairness configuration as `flowcontrol.apiserver.k8s.io/v1`
 * FlowSchema and PriorityLevelConfiguration objects, so that `kubectl get
 * flowschemas` shows who falls where and the UIDs of a 429's
 * `X-Kubernetes-PF-*` headers can be looked up. They are views of the fixed
 * configuration in levels.ts, never stored: one version of them exists
 * (resourceVersion "1"), made with the cluster (kube-system's
 * creationTimestamp). Printed with upstream's columns (kubernetes
 * pkg/printers/internalversion/printers.go, printFlowSchema and
 * printPriorityLevelConfiguration).
 */
import type { KubeObject } from "../../../shared/k8s/object";
import { AGE_COLUMN, NAME_COLUMN, column } from "../../../shared/k8s/printers/columns";
import { translateTimestampSince } from "../../../shared/k8s/printers/timestamp";
import type { Printer } from "../../../shared/k8s/resource-kind";
import { FLOW_SCHEMAS, PRIORITY_LEVELS, QUEUE_LENGTH_LIMIT, seatsOf, seatsPerFlowOf, type FlowSchema, type PriorityLevel } from "./levels";

export const FLOWCONTROL_GROUP = "flowcontrol.apiserver.k8s.io";
export const FLOWCONTROL_VERSION = "v1";
const API_VERSION = `${FLOWCONTROL_GROUP}/${FLOWCONTROL_VERSION}`;
/** The only version these objects have: they never change while a deployment runs. */
export const FLOWCONTROL_RESOURCE_VERSION = "1";
/** The seats a level has in each isolate (its nominal concurrency limit there), for operators sizing APF_TOTAL_SEATS. */
export const SEATS_ANNOTATION = "flowcontrol.duraplane.io/seats-per-isolate";
/** The seats one flow (user) may hold at once in a level (levels.ts, seatsPerFlowOf): a difference from upstream, shown where operators look. */
export const SEATS_PER_FLOW_ANNOTATION = "flowcontrol.duraplane.io/seats-per-flow";

function meta(name: string, uid: string, created: string | undefined): KubeObject["metadata"] {
  return {
    name, uid, resourceVersion: FLOWCONTROL_RESOURCE_VERSION, generation: 1,
    ...(created !== undefined ? { creationTimestamp: created } : {}),
    // Upstream marks the bootstrap objects it keeps up to date itself.
    annotations: { "apf.kubernetes.io/autoupdate-spec": "true" },
  };
}

/** One FlowSchema object. */
export function flowSchemaObject(schema: FlowSchema, created: string | undefined): KubeObject {
  const everything = {
    subjects: schema.subjects.map((s) => ({ ...s })),
    resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], clusterScope: true, namespaces: ["*"] }],
    nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
  };
  return {
    apiVersion: API_VERSION, kind: "FlowSchema",
    metadata: meta(schema.name, schema.uid, created),
    spec: {
      matchingPrecedence: schema.matchingPrecedence,
      priorityLevelConfiguration: { name: schema.level.name },
      // Upstream's exempt schema has no distinguisher: its requests are never queued.
      ...(schema.level.shares !== undefined ? { distinguisherMethod: { type: "ByUser" } } : {}),
      rules: [everything],
    },
    status: {
      conditions: [{
        type: "Dangling", status: "False", reason: "Found", lastTransitionTime: created ?? null,
        message: `This FlowSchema references the PriorityLevelConfiguration object named "${schema.level.name}" and it exists`,
      }],
    },
  };
}

/** One PriorityLevelConfiguration object; `totalSeats` is the deployment's APF_TOTAL_SEATS. */
export function priorityLevelObject(level: PriorityLevel, created: string | undefined, totalSeats: number): KubeObject {
  const metadata = meta(level.name, level.uid, created);
  if (level.shares === undefined) {
    return { apiVersion: API_VERSION, kind: "PriorityLevelConfiguration", metadata, spec: { type: "Exempt", exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }, status: {} };
  }
  const seats = seatsOf(level, totalSeats);
  metadata.annotations = { ...metadata.annotations, [SEATS_ANNOTATION]: String(seats), [SEATS_PER_FLOW_ANNOTATION]: String(seatsPerFlowOf(seats)) };
  return {
    apiVersion: API_VERSION, kind: "PriorityLevelConfiguration", metadata,
    spec: {
      type: "Limited",
      limited: {
        nominalConcurrencyShares: level.shares,
        lendablePercent: 0,
        // Every flow (user) has a queue of its own: shuffle sharding with as many queues as flows and a hand of one.
        limitResponse: { type: "Queue", queuing: { handSize: 1, queueLengthLimit: QUEUE_LENGTH_LIMIT } },
      },
    },
    status: {},
  };
}

/** Every FlowSchema, in matching order. */
export function flowSchemaObjects(created: string | undefined): KubeObject[] {
  return FLOW_SCHEMAS.map((s) => flowSchemaObject(s, created));
}

/** Every PriorityLevelConfiguration. */
export function priorityLevelObjects(created: string | undefined, totalSeats: number): KubeObject[] {
  return PRIORITY_LEVELS.map((l) => priorityLevelObject(l, created, totalSeats));
}

type Loose = Record<string, unknown> | undefined;
const field = (obj: Loose, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), obj);

/** `kubectl get flowschemas`: Name, PriorityLevel, MatchingPrecedence, DistinguisherMethod, Age, MissingPL. */
export const flowSchemaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column("PriorityLevel", "string", "The priority level these requests are served at"),
    column("MatchingPrecedence", "string", "The order this schema is matched in, lowest first"),
    column("DistinguisherMethod", "string", "How requests are split into flows"),
    AGE_COLUMN,
    column("MissingPL", "string", "Whether the priority level is missing"),
  ],
  cells(fs, now) {
    const spec = fs.spec as Loose;
    const dangling = (field(fs.status as Loose, "conditions") as { type?: string; status?: string }[] | undefined)?.find((c) => c.type === "Dangling");
    return [
      String(fs.metadata.name ?? ""),
      String(field(spec, "priorityLevelConfiguration", "name") ?? ""),
      String(field(spec, "matchingPrecedence") ?? ""),
      String(field(spec, "distinguisherMethod", "type") ?? "<none>"),
      translateTimestampSince(fs.metadata.creationTimestamp, now),
      dangling?.status === "True" ? "True" : dangling?.status === "False" ? "False" : "?",
    ];
  },
};

/** `kubectl get prioritylevelconfigurations`: Name, Type, NominalConcurrencyShares, Queues, HandSize, QueueLengthLimit, Age. */
export const priorityLevelPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column("Type", "string", "Exempt (never queued) or Limited"),
    column("NominalConcurrencyShares", "string", "The level's share of the seats"),
    column("Queues", "string", "The number of queues"),
    column("HandSize", "string", "The queues each flow is dealt"),
    column("QueueLengthLimit", "string", "Requests one queue may hold"),
    AGE_COLUMN,
  ],
  cells(pl, now) {
    const limited = field(pl.spec as Loose, "limited") as Loose;
    const queuing = field(limited, "limitResponse", "queuing") as Loose;
    return [
      String(pl.metadata.name ?? ""),
      String(field(pl.spec as Loose, "type") ?? ""),
      limited ? String(field(limited, "nominalConcurrencyShares") ?? 0) : "<none>",
      queuing ? "per flow" : "<none>",
      queuing ? String(field(queuing, "handSize") ?? "<none>") : "<none>",
      queuing ? String(field(queuing, "queueLengthLimit") ?? "<none>") : "<none>",
      translateTimestampSince(pl.metadata.creationTimestamp, now),
    ];
  },
};
