/**
 * @module
 * One object: status, conditions, phase transitions as a timeline, its owners
 * and children, its Events and its YAML (editable, applied server-side), all
 * live from the shared informers.
 */
import { lazy, Suspense } from "preact/compat";
import type { KObj } from "../api/client";
import { useList } from "../api/hooks";
import { collectionPath, type Kind, KINDS, kindByKey, kindByName } from "../api/kinds";
import { Badge } from "../components/badge";
import { age, condition, counts, field, ipOf, nodeOf, statusOf } from "../format";
import { href } from "../router";
import { ObjectActions } from "./object-actions";

const { rec, str } = field;
const YamlEditor = lazy(() => import("./yaml-editor").then((m) => m.YamlEditor));

/** Kinds whose objects may own objects of these kinds. */
const CHILD_KINDS: Record<string, Kind[]> = {
  vms: [KINDS.vmis], vmirs: [KINDS.vmis], deploy: [KINDS.rs], rs: [KINDS.pods], vmis: [KINDS.pods],
};

function Conditions(props: { obj: KObj }) {
  const conds = (Array.isArray(rec(props.obj.status).conditions) ? (rec(props.obj.status).conditions as unknown[]) : []).map(rec);
  if (conds.length === 0) return <div class="muted">No conditions.</div>;
  return (
    <table class="kv">
      <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Changed</th></tr></thead>
      <tbody>{conds.map((c) => (
        <tr key={str(c.type)}><td>{str(c.type)}</td><td><Badge state={str(c.status)} /></td><td>{str(c.reason)}</td><td>{str(c.message)}</td><td>{age(str(c.lastTransitionTime))}</td></tr>
      ))}</tbody>
    </table>
  );
}

function Timeline(props: { obj: KObj }) {
  const steps = (Array.isArray(rec(props.obj.status).phaseTransitionTimestamps) ? (rec(props.obj.status).phaseTransitionTimestamps as unknown[]) : []).map(rec);
  if (steps.length === 0) return null;
  const t0 = Date.parse(str(steps[0]?.phaseTransitionTimestamp));
  return (
    <div class="card panel">
      <h2 style={{ marginTop: 0 }}>Phase transitions</h2>
      <ol class="timeline">{steps.map((s, i) => {
        const at = str(s.phaseTransitionTimestamp);
        return <li key={`${i}`}><Badge state={str(s.phase)} /> <span class="mono muted">{at}</span>{i > 0 && <span class="muted"> (+{((Date.parse(at) - t0) / 1000).toFixed(1)} s)</span>}</li>;
      })}</ol>
    </div>
  );
}

function Related(props: { kind: Kind; obj: KObj }) {
  const ns = props.obj.metadata.namespace;
  const childKinds = CHILD_KINDS[props.kind.key] ?? [];
  const a = useList(childKinds[0] && ns ? collectionPath(childKinds[0], ns) : undefined);
  const children = a.items.filter((c) => (c.metadata.ownerReferences ?? []).some((r) => r.uid === props.obj.metadata.uid));
  const owners = props.obj.metadata.ownerReferences ?? [];
  if (owners.length === 0 && children.length === 0) return null;
  return (
    <div class="card panel">
      <h2 style={{ marginTop: 0 }}>Owners and children</h2>
      {owners.map((o) => {
        const k = kindByName(o.kind);
        return <div key={o.uid}>owned by {o.kind} {k ? <a href={href("obj", k.key, ns ?? "_", o.name)}>{o.name}</a> : o.name}</div>;
      })}
      <div class="runs" style={{ marginTop: "6px" }}>{children.map((c) => (
        <a class="chip" key={c.metadata.uid} href={href("obj", childKinds[0]?.key ?? "", ns ?? "_", c.metadata.name)}>{c.metadata.name} <Badge state={statusOf({ ...c, kind: childKinds[0]?.kind ?? "" })} /></a>
      ))}</div>
    </div>
  );
}

/** What runs on a host: the pods and VMIs bound to it that have not finished. */
function NodeWorkloads(props: { name: string }) {
  const pods = useList(collectionPath(KINDS.pods));
  const vmis = useList(collectionPath(KINDS.vmis));
  const bound = [...vmis.items.map((o) => ({ ...o, kind: KINDS.vmis.kind })), ...pods.items.map((o) => ({ ...o, kind: KINDS.pods.kind }))]
    .filter((o) => nodeOf(o) === props.name && str(rec(o.status).phase) !== "Succeeded" && str(rec(o.status).phase) !== "Failed");
  return (
    <div class="card panel" data-testid="node-workloads">
      <h2 style={{ marginTop: 0 }}>Running here</h2>
      {bound.length === 0 ? <div class="muted">Nothing runs here.</div> : (
        <div class="runs">{bound.map((o) => (
          <a class="chip" key={o.metadata.uid ?? o.metadata.name} href={href("obj", o.kind === "Pod" ? "pods" : "vmis", o.metadata.namespace ?? "", o.metadata.name)}>
            {o.metadata.namespace}/{o.metadata.name} <Badge state={statusOf(o)} />
          </a>
        ))}</div>
      )}
    </div>
  );
}

function ObjectEvents(props: { obj: KObj }) {
  const ns = props.obj.metadata.namespace;
  const events = useList(collectionPath(KINDS.events, ns));
  const mine = events.items.filter((e) => {
    const io = rec(e.involvedObject ?? rec(e).regarding);
    return io.uid === props.obj.metadata.uid || (io.name === props.obj.metadata.name && (!io.namespace || io.namespace === ns));
  }).sort((a, b) => str(rec(b).lastTimestamp || b.metadata.creationTimestamp).localeCompare(str(rec(a).lastTimestamp || a.metadata.creationTimestamp)));
  return (
    <div class="card panel">
      <h2 style={{ marginTop: 0 }}>Events</h2>
      {events.error ? <div class="muted">{events.error.message}</div> : mine.length === 0 ? <div class="muted">No events.</div> : (
        <table class="kv"><tbody>{mine.slice(0, 50).map((e) => (
          <tr key={e.metadata.uid ?? e.metadata.name}><td><Badge state={str(rec(e).type)} /></td><td>{str(rec(e).reason)}</td><td>{str(rec(e).message)}</td><td>{age(str(rec(e).lastTimestamp) || e.metadata.creationTimestamp)}</td></tr>
        ))}</tbody></table>
      )}
    </div>
  );
}

function Summary(props: { obj: KObj }) {
  const o = props.obj;
  const c = counts(o);
  const node = nodeOf(o);
  const rows: [string, preact.ComponentChildren][] = [
    ["Namespace", o.metadata.namespace ?? "—"], ["Created", `${o.metadata.creationTimestamp ?? ""} (${age(o.metadata.creationTimestamp)})`],
    ["UID", <span class="mono">{o.metadata.uid}</span>],
  ];
  if (node) rows.push(["Node", <a href={href("obj", "nodes", "_", node)}>{node}</a>]);
  if (ipOf(o)) rows.push(["IP", <span class="mono">{ipOf(o)}</span>]);
  if (c) rows.push(["Replicas", <span data-testid="replicas">{c.ready}/{c.desired} ready</span>]);
  const labels = Object.entries(o.metadata.labels ?? {});
  if (labels.length) rows.push(["Labels", <div class="runs">{labels.map(([k, v]) => <span class="chip mono" key={k}>{k}={v}</span>)}</div>]);
  return <table class="kv"><tbody>{rows.map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}</tbody></table>;
}

/** One object's page, found in its collection's shared informer by name. */
export function ObjectPage(props: { kindKey: string; ns: string; name: string }) {
  const kind = kindByKey(props.kindKey);
  const ns = props.ns === "_" ? undefined : props.ns;
  const list = useList(kind ? collectionPath(kind, ns) : undefined);
  if (!kind) return <div class="error">Unknown kind {props.kindKey}</div>;
  const found = list.items.find((o) => o.metadata.name === props.name);
  const obj = found ? { ...found, kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version } : undefined;
  return (
    <div>
      <div class="row" style={{ marginBottom: "12px" }}>
        <a href={kind.key === "nodes" ? href("hosts") : href("workloads", ns ?? "_all", kind.key)}>{kind.short}</a>
        <span class="muted">/</span>
        <h1 style={{ margin: 0 }}>{props.name}</h1>
        <span class="muted">{kind.kind}</span>
        {obj && <Badge state={kind.key === "nodes" ? (condition(obj, "Ready") === "True" ? "Ready" : "NotReady") : statusOf(obj)} />}
        <span class="spacer" />
        {obj && <ObjectActions kind={kind} obj={obj} />}
      </div>
      {list.error && <div class="error">{list.error.code}: {list.error.message}</div>}
      {!obj && list.synced && !list.error && <div class="notice">{kind.kind} {props.name} does not exist (or was deleted).</div>}
      {obj && (
        <div class="grid2">
          <div style={{ display: "flex", flexDirection: "column", gap: "14px" }}>
            <div class="card panel"><Summary obj={obj} /></div>
            <div class="card panel"><h2 style={{ marginTop: 0 }}>Conditions</h2><Conditions obj={obj} /></div>
            <Timeline obj={obj} />
            <Related kind={kind} obj={obj} />
            {kind.key === "nodes" && <NodeWorkloads name={obj.metadata.name} />}
            {ns && <ObjectEvents obj={obj} />}
          </div>
          <div class="card panel">
            <Suspense fallback={<div class="muted">Loading the editor…</div>}>
              <YamlEditor kind={kind} obj={obj} />
            </Suspense>
          </div>
        </div>
      )}
    </div>
  );
}
