/**
 * @module
 * Workloads in a namespace (or all): VMs, VMIs, VMIRS, pods, ReplicaSets and
 * Deployments, one tab each, live, in a virtualised table with a filter
 * (`/` focuses it, as in k9s).
 */
import { useEffect, useState } from "preact/hooks";
import type { KObj } from "../api/client";
import { useList } from "../api/hooks";
import { collectionPath, type Kind, KINDS, type KindKey, kindByKey, WORKLOAD_KINDS } from "../api/kinds";
import { Badge } from "../components/badge";
import { type Column, VirtualTable } from "../components/virtual-table";
import { age, condition, counts, field, ipOf, nodeOf, statusOf } from "../format";
import { href, navigate, rememberNamespace } from "../router";

const { rec, num } = field;
export const ALL = "_all";

function nameCell(kind: Kind, o: KObj) {
  return <a href={href("obj", kind.key, o.metadata.namespace ?? "_", o.metadata.name)}>{o.metadata.name}</a>;
}

/** A VM's node and IP are its VMI's (same namespace and name). */
function columns(kind: Kind, allNs: boolean, vmiOf: (vm: KObj) => KObj | undefined): Column<KObj>[] {
  const cols: Column<KObj>[] = [{ title: "Name", width: "minmax(160px, 2fr)", cell: (o) => nameCell(kind, o) }];
  if (allNs) cols.push({ title: "Namespace", width: "minmax(100px, 1fr)", cell: (o) => o.metadata.namespace ?? "" });
  const status: Column<KObj> = { title: "Status", width: "130px", cell: (o) => <Badge state={statusOf(o)} /> };
  const node: Column<KObj> = { title: "Node", width: "minmax(90px, 1fr)", cell: (o) => { const n = nodeOf(o); return n ? <a href={href("obj", "nodes", "_", n)}>{n}</a> : ""; } };
  const ip: Column<KObj> = { title: "IP", width: "120px", cell: (o) => <span class="mono">{ipOf(o)}</span> };
  const ageCol: Column<KObj> = { title: "Age", width: "60px", cell: (o) => age(o.metadata.creationTimestamp) };
  const desired: Column<KObj> = { title: "Desired", width: "80px", cell: (o) => String(counts(o)?.desired ?? "") };
  const ready: Column<KObj> = { title: "Ready", width: "80px", cell: (o) => { const c = counts(o); return c ? <span data-ready={c.ready}>{c.ready}/{c.desired}</span> : ""; } };
  switch (kind.key) {
    case "vms":
      cols.push(status, { title: "Ready", width: "70px", cell: (o) => condition(o, "Ready") || "False" },
        { title: "Run strategy", width: "110px", cell: (o) => field.str(rec(o.spec).runStrategy) || (rec(o.spec).running === true ? "Always" : "") },
        { ...node, cell: (o) => { const v = vmiOf(o); return v ? node.cell(v) : ""; } },
        { ...ip, cell: (o) => { const v = vmiOf(o); return v ? ip.cell(v) : ""; } });
      break;
    case "vmis":
      cols.push(status, { title: "Ready", width: "70px", cell: (o) => condition(o, "Ready") || "False" }, node, ip);
      break;
    case "pods": {
      const containers = (o: KObj) => (Array.isArray(rec(o.status).containerStatuses) ? (rec(o.status).containerStatuses as unknown[]).map(rec) : []);
      cols.push(status,
        { title: "Ready", width: "70px", cell: (o) => `${containers(o).filter((c) => c.ready === true).length}/${Array.isArray(rec(o.spec).containers) ? (rec(o.spec).containers as unknown[]).length : 0}` },
        { title: "Restarts", width: "80px", cell: (o) => String(containers(o).reduce((n, c) => n + num(c.restartCount), 0)) }, node, ip);
      break;
    }
    default:
      cols.push(desired, ready, { title: "Current", width: "80px", cell: (o) => String(num(rec(o.status).replicas)) });
  }
  cols.push(ageCol);
  return cols;
}

function matches(o: KObj, filter: string): boolean {
  if (!filter) return true;
  const hay = `${o.metadata.name} ${o.metadata.namespace ?? ""} ${statusOf(o)} ${nodeOf(o)} ${ipOf(o)} ${Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(" ")}`.toLowerCase();
  return filter.toLowerCase().split(/\s+/).every((term) => hay.includes(term));
}

function NamespacePicker(props: { ns: string; kind: string }) {
  const namespaces = useList(collectionPath(KINDS.namespaces));
  const names = namespaces.items.map((n) => n.metadata.name).sort();
  const go = (ns: string) => {
    if (ns !== ALL) rememberNamespace(ns);
    navigate("workloads", ns, props.kind);
  };
  if (namespaces.error) {
    // Listing namespaces is a cluster-wide permission many users lack: type one instead.
    return <input aria-label="namespace" value={props.ns === ALL ? "" : props.ns} placeholder="namespace" onChange={(e) => go((e.currentTarget as HTMLInputElement).value.trim() || "default")} />;
  }
  return (
    <select aria-label="namespace" value={props.ns} onChange={(e) => go((e.currentTarget as HTMLSelectElement).value)}>
      <option value={ALL}>all namespaces</option>
      {(names.includes(props.ns) || props.ns === ALL ? names : [props.ns, ...names]).map((n) => <option key={n} value={n}>{n}</option>)}
    </select>
  );
}

function Tab(props: { ns: string; kindKey: KindKey; on: boolean }) {
  const kind = KINDS[props.kindKey];
  const list = useList(collectionPath(kind, props.ns === ALL ? undefined : props.ns));
  return <a class={props.on ? "on" : ""} href={href("workloads", props.ns, kind.key)}>{kind.short}<span class="count">{list.synced && !list.error ? list.items.length : ""}</span></a>;
}

/** The Workloads view of a namespace (or `_all`), one tab per kind. */
export function Workloads(props: { ns: string; kindKey: string }) {
  const kind = kindByKey(props.kindKey) ?? KINDS.vms;
  const allNs = props.ns === ALL;
  const list = useList(collectionPath(kind, allNs ? undefined : props.ns));
  const vmis = useList(kind.key === "vms" ? collectionPath(KINDS.vmis, allNs ? undefined : props.ns) : undefined);
  const vmiByKey = new Map(vmis.items.map((v) => [`${v.metadata.namespace ?? ""}/${v.metadata.name}`, v]));
  const vmiOf = (vm: KObj) => vmiByKey.get(`${vm.metadata.namespace ?? ""}/${vm.metadata.name}`);
  const [filter, setFilter] = useState("");
  // Ages move with the clock, not with events: a local tick re-renders them (no request is made).
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 10_000);
    return () => clearInterval(timer);
  }, []);
  const rows = list.items.map((o) => ({ ...o, kind: kind.kind })).filter((o) => matches(o, filter))
    .sort((a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  return (
    <div>
      <div class="row" style={{ marginBottom: "10px" }}>
        <h1 style={{ margin: 0 }}>Workloads</h1>
        <NamespacePicker ns={props.ns} kind={kind.key} />
        <input id="filter" type="search" placeholder="filter  ( / )" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} style={{ minWidth: "260px" }} />
        <a href={href("events", props.ns)}>Events →</a>
      </div>
      <nav class="tabs">{WORKLOAD_KINDS.map((k) => <Tab key={k} ns={props.ns} kindKey={k} on={k === kind.key} />)}</nav>
      {list.error ? <div class="error">{list.error.code}: {list.error.message}</div> : (
        <VirtualTable testId={`table-${kind.key}`} columns={columns(kind, allNs, vmiOf)} rows={rows} rowKey={(o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`} empty={list.synced ? `No ${kind.short} in ${allNs ? "any namespace" : props.ns}.` : "Loading…"} />
      )}
    </div>
  );
}
