/**
 * @module
 * `v1` Event (core/v1, as `kubectl describe` and `kubectl get events` read
 * them): schema and `legacyValidateEvent` from
 * `pkg/apis/core/validation/events.go`.
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { invalidValue, isDNS1123Subdomain, isQualifiedName, required, validateObjectMeta } from "../../k8s/validation";
import { asKind, TimeSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";

/** `core/v1.ObjectReference`. */
export const ObjectReferenceSchema = z
  .object({
    kind: z.string().optional().describe("Kind of the referent."),
    namespace: z.string().optional().describe("Namespace of the referent."),
    name: z.string().optional().describe("Name of the referent."),
    uid: z.string().optional().describe("UID of the referent."),
    apiVersion: z.string().optional().describe("API version of the referent."),
    resourceVersion: z.string().optional().describe("Specific resourceVersion to which this reference is made."),
    fieldPath: z.string().optional().describe("A piece of the object, e.g. spec.containers{name}."),
  })
  .meta({ id: `${CORE_V1}.ObjectReference`, description: "Enough information to let you inspect or modify the referred object." });

/** MicroTime: RFC 3339 with microseconds. */
const MicroTimeSchema = z.string().meta({ description: "RFC 3339 date and time with microseconds.", format: "date-time" });

/** `v1` Event. */
export const EventSchema = z
  .object({
    ...typeAndObjectMeta("Event"),
    involvedObject: ObjectReferenceSchema.optional().describe("The object that this event is about."),
    reason: z.string().optional().describe("Short, machine understandable reason for the object's state transition, e.g. Scheduled."),
    message: z.string().optional().describe("A human-readable description of the status of this operation."),
    source: z
      .object({
        component: z.string().optional().describe("Component from which the event is generated."),
        host: z.string().optional().describe("Node name on which the event is generated."),
      })
      .optional()
      .describe("The component reporting this event."),
    firstTimestamp: TimeSchema.optional().describe("When the event was first recorded."),
    lastTimestamp: TimeSchema.optional().describe("When the most recent occurrence of this event was recorded."),
    count: z.number().int().optional().describe("The number of times this event has occurred."),
    type: z.string().optional().describe("Type of this event: Normal or Warning."),
    eventTime: MicroTimeSchema.optional().describe("When this event was first observed (events.k8s.io style)."),
    series: z
      .object({
        count: z.number().int().optional().describe("Number of occurrences in this series up to the last heartbeat."),
        lastObservedTime: MicroTimeSchema.optional().describe("Time of the last occurrence observed."),
      })
      .optional()
      .describe("Data about the event series this event represents."),
    action: z.string().optional().describe("What action was taken/failed regarding the involved object."),
    related: ObjectReferenceSchema.optional().describe("Optional secondary object for more complex actions."),
    reportingComponent: z.string().optional().describe("Name of the controller that emitted this event, e.g. kubernetes.io/kubelet."),
    reportingInstance: z.string().optional().describe("ID of the controller instance, e.g. kubelet-xyzf."),
  })
  .meta({
    id: `${CORE_V1}.Event`,
    description: "Event is a report of an event somewhere in the cluster.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Event" }],
  });

/** A v1 Event. */
export type Event = z.infer<typeof EventSchema>;

const LENGTH_LIMIT = 128;
const NOTE_LENGTH_LIMIT = 1024;

/** `legacyValidateEvent` for requests in core/v1 (events with eventTime need the reporting fields). */
export function validateEvent(ev: Event): StatusCause[] {
  const causes = validateObjectMeta(ev.metadata as KubeObject["metadata"], { namespaced: true });
  const namespace = ev.metadata.namespace ?? "";
  const involvedNamespace = ev.involvedObject?.namespace ?? "";
  const mismatch = (): StatusCause => invalidValue("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
  if (!ev.eventTime) {
    if (involvedNamespace === "" ? namespace !== "" && namespace !== "default" : namespace !== involvedNamespace) {
      causes.push(mismatch());
    }
  } else {
    if (involvedNamespace === "" && namespace !== "default" && namespace !== "kube-system") causes.push(mismatch());
    const reporting = ev.reportingComponent ?? "";
    if (!reporting) causes.push(required("reportingComponent"));
    causes.push(...isQualifiedName(reporting).map((msg) => invalidValue("reportingComponent", reporting, msg)));
    const limited: [string, string | undefined][] = [
      ["reportingInstance", ev.reportingInstance],
      ["action", ev.action],
      ["reason", ev.reason],
    ];
    for (const [field, value] of limited) {
      if (!value) causes.push(required(field));
      else if (value.length > LENGTH_LIMIT) causes.push(invalidValue(field, "", `can have at most ${LENGTH_LIMIT} characters`));
    }
    if ((ev.message ?? "").length > NOTE_LENGTH_LIMIT) {
      causes.push(invalidValue("message", "", `can have at most ${NOTE_LENGTH_LIMIT} characters`));
    }
  }
  for (const msg of isDNS1123Subdomain(namespace)) causes.push(invalidValue("namespace", namespace, msg));
  return causes;
}

/** The Event strategy (no defaults). */
export const eventStrategy: KindStrategy<typeof EventSchema> = {
  schema: EventSchema,
  applyDefaults(): void {},
  validate(obj: KubeObject): StatusCause[] {
    return validateEvent(asKind<Event>(obj));
  },
};
