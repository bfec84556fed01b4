/**
 * @module
 * The live Events stream of a namespace (or all), newest first.
 */
import type { KObj } from "../api/client";
import { useList } from "../api/hooks";
import { collectionPath, KINDS, kindByName } from "../api/kinds";
import { Badge } from "../components/badge";
import { type Column, VirtualTable } from "../components/virtual-table";
import { age, field } from "../format";
import { href } from "../router";
import { ALL } from "./workloads";

const { rec, str } = field;
const when = (e: KObj): string => str(rec(e).lastTimestamp) || str(rec(e).eventTime) || (e.metadata.creationTimestamp ?? "");

const COLUMNS: Column<KObj>[] = [
  { title: "Age", width: "70px", cell: (e) => age(when(e)) },
  { title: "Type", width: "90px", cell: (e) => <Badge state={str(rec(e).type)} /> },
  { title: "Reason", width: "160px", cell: (e) => str(rec(e).reason) },
  { title: "Message", width: "1fr", cell: (e) => <span title={str(rec(e).message)}>{str(rec(e).message)}</span> },
  { title: "Object", width: "220px", cell: (e) => {
    const io = rec(rec(e).involvedObject);
    const k = kindByName(str(io.kind));
    const label = `${str(io.kind)}/${str(io.name)}`;
    return k ? <a href={href("obj", k.key, str(io.namespace) || "_", str(io.name))}>{label}</a> : label;
  } },
];

/** The Events view. */
export function Events(props: { ns: string }) {
  const list = useList(collectionPath(KINDS.events, props.ns === ALL ? undefined : props.ns));
  const rows = [...list.items].sort((a, b) => when(b).localeCompare(when(a)));
  return (
    <div class="events">
      <div class="row" style={{ marginBottom: "10px" }}>
        <h1 style={{ margin: 0 }}>Events</h1>
        <span class="muted">{props.ns === ALL ? "all namespaces" : props.ns} · live</span>
        <a href={href("events", ALL)}>all namespaces</a>
      </div>
      {list.error ? <div class="error">{list.error.code}: {list.error.message}</div>
        : <VirtualTable columns={COLUMNS} rows={rows} rowKey={(e) => `${e.metadata.namespace ?? ""}/${e.metadata.name}`} empty={list.synced ? "No events." : "Loading…"} />}
    </div>
  );
}
