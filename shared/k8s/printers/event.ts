/**
 * @module
 * `kubectl get events` columns: upstream's printEvent
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32), for core/v1 Events.
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { OBJECT_META_NAME_DESCRIPTION, column, wideColumn } from "./columns";
import { at, num, str } from "./fields";
import { readTime, translateTimestampSince } from "./timestamp";

// Upstream's order: Subobject and Source sit between Object and Message, and
// First Seen, Count and Name trail; all five are wide-only.
const EVENT_COLUMNS = [
  column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
  column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
  column(
    "Reason",
    "string",
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  ),
  column("Object", "string", "The object that this event is about."),
  wideColumn(
    "Subobject",
    "string",
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  ),
  wideColumn("Source", "string", "The component reporting this event. Should be a short machine understandable string."),
  column("Message", "string", "A human-readable description of the status of this operation."),
  wideColumn("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
  wideColumn("Count", "string", "The number of times this event has occurred."),
  column("Name", "string", OBJECT_META_NAME_DESCRIPTION, { priority: 1, format: "name" }),
];

/**
 * `formatEventSource`: "component, host", falling back to reportingComponent
 * and reportingInstance (the events/v1 fields) when source is empty.
 */
function formatEventSource(event: KubeObject): string {
  const component = str(at(event, "source", "component")) || str(at(event, "reportingComponent"));
  const instance = str(at(event, "source", "host")) || str(at(event, "reportingInstance"));
  return instance === "" ? component : `${component}, ${instance}`;
}

/** `kind/name` in lower-case kind, or just the kind when the object has no name. */
function involvedObject(event: KubeObject): string {
  const kind = str(at(event, "involvedObject", "kind")).toLowerCase();
  const name = str(at(event, "involvedObject", "name"));
  return name === "" ? kind : `${kind}/${name}`;
}

/** Server-side printing for core/v1 Events (upstream printEvent, wide columns included). */
export const eventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  cells(event: KubeObject, now: Date): TableCell[] {
    // Events from the events/v1 API carry eventTime and series instead of the legacy timestamps and count.
    const firstSeen =
      readTime(event.firstTimestamp) === undefined
        ? translateTimestampSince(event.eventTime, now)
        : translateTimestampSince(event.firstTimestamp, now);
    let lastSeen = readTime(event.lastTimestamp) === undefined ? firstSeen : translateTimestampSince(event.lastTimestamp, now);
    let count = num(event.count);
    const series = at(event, "series");
    if (series !== undefined) {
      lastSeen = translateTimestampSince(at(series, "lastObservedTime"), now);
      count = num(at(series, "count"));
    } else if (count === 0) {
      // events/v1 leaves count unset for an event seen once.
      count = 1;
    }
    return [
      lastSeen,
      str(event.type),
      str(event.reason),
      involvedObject(event),
      str(at(event, "involvedObject", "fieldPath")),
      formatEventSource(event),
      str(event.message).trim(),
      firstSeen,
      count,
      str(event.metadata.name),
    ];
  },
};
