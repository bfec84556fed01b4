/**
 * @module
 * The fleet: one card per host (Node) with its readiness, taints, cpu and
 * memory requested by what is bound there against its allocatable, usage
 * from metrics.k8s.io when that API answers, and what runs there.
 */
import { useEffect, useState } from "preact/hooks";
import { request, type KObj } from "../api/client";
import { useList } from "../api/hooks";
import { collectionPath, KINDS } from "../api/kinds";
import { cordon } from "../api/actions";
import { ActionButton } from "../components/action-button";
import { Badge } from "../components/badge";
import { bytes, condition, cores, field, nodeOf, quantity, statusOf } from "../format";
import { href } from "../router";

const { rec, str } = field;

const FINISHED = new Set(["Succeeded", "Failed"]);

/** cpu (cores) and memory (bytes) a pod or VMI requests. */
function requests(o: KObj): { cpu: number; mem: number } {
  const spec = rec(o.spec);
  if (o.kind === "VirtualMachineInstance") {
    const r = rec(rec(rec(spec.domain).resources).requests);
    const guest = quantity(rec(rec(spec.domain).memory).guest);
    return { cpu: quantity(r.cpu), mem: quantity(r.memory) || guest };
  }
  let cpu = 0;
  let mem = 0;
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    const r = rec(rec(rec(c).resources).requests);
    cpu += quantity(r.cpu);
    mem += quantity(r.memory);
  }
  return { cpu, mem };
}

interface Usage { cpu: number; mem: number; at: string }

/** NodeMetrics, fetched once per visit; nothing when metrics.k8s.io is not served (404) or not allowed. */
function useNodeUsage(): Map<string, Usage> {
  const [usage, setUsage] = useState(new Map<string, Usage>());
  useEffect(() => {
    let alive = true;
    request<{ items?: { metadata: { name: string }; timestamp?: string; usage?: Record<string, string> }[] }>("GET", "/apis/metrics.k8s.io/v1beta1/nodes").then(
      (list) => {
        if (!alive) return;
        const m = new Map<string, Usage>();
        for (const i of list.items ?? []) m.set(i.metadata.name, { cpu: quantity(i.usage?.cpu), mem: quantity(i.usage?.memory), at: i.timestamp ?? "" });
        setUsage(m);
      },
      () => {},
    );
    return () => {
      alive = false;
    };
  }, []);
  return usage;
}

function Meter(props: { label: string; used: number; total: number; usage?: number; fmt: (n: number) => string }) {
  const pct = props.total > 0 ? Math.min(100, (props.used / props.total) * 100) : 0;
  const usePct = props.usage !== undefined && props.total > 0 ? Math.min(100, (props.usage / props.total) * 100) : undefined;
  return (
    <div class="meter" title={usePct === undefined ? "requested / allocatable" : "requested / allocatable; the green line is current usage"}>
      <span class="muted">{props.label}</span>
      <div class="track">
        <div class="fill" style={{ width: `${pct}%` }} />
        {usePct !== undefined && <div class="use" style={{ left: `${usePct}%`, width: "2px" }} />}
      </div>
      <span class="mono">{props.fmt(props.used)} / {props.fmt(props.total)} <span class="muted">{Math.round(pct)}%</span></span>
    </div>
  );
}

function HostCard(props: { node: KObj; bound: KObj[]; usage: Usage | undefined }) {
  const { node, bound, usage } = props;
  const name = node.metadata.name;
  const ready = condition(node, "Ready");
  const state = ready === "True" ? "Ready" : ready === "False" ? "NotReady" : "Unknown";
  const alloc = rec(rec(node.status).allocatable);
  const cordoned = rec(node.spec).unschedulable === true;
  const taints = (Array.isArray(rec(node.spec).taints) ? rec(node.spec).taints as unknown[] : []).map(rec);
  let cpu = 0;
  let mem = 0;
  for (const o of bound) {
    const r = requests(o);
    cpu += r.cpu;
    mem += r.mem;
  }
  return (
    <section class="host panel" data-host={name} data-state={state}>
      <header>
        <a href={href("obj", "nodes", "_", name)}>{name}</a>
        <Badge state={state} />
        {cordoned && <Badge state="Cordoned" title="spec.unschedulable: nothing new is scheduled here" />}
        <span class="spacer" />
        <ActionButton label={cordoned ? "Uncordon" : "Cordon"} access={{ verb: "patch", group: "", resource: "nodes", name }} run={() => cordon(name, !cordoned)} />
      </header>
      <Meter label="CPU" used={cpu} total={quantity(alloc.cpu)} usage={usage?.cpu} fmt={cores} />
      <Meter label="Memory" used={mem} total={quantity(alloc.memory)} usage={usage?.mem} fmt={bytes} />
      {usage && <div class="muted" style={{ fontSize: "12px" }} data-testid="usage">usage {cores(usage.cpu)} cpu, {bytes(usage.mem)} memory (metrics.k8s.io)</div>}
      {taints.length > 0 && <div class="row">{taints.map((t) => <span class="taint" key={`${str(t.key)}${str(t.effect)}`}>{str(t.key)}{t.value ? `=${str(t.value)}` : ""}:{str(t.effect)}</span>)}</div>}
      <div class="muted" style={{ fontSize: "12px" }}>{bound.filter((o) => o.kind === "VirtualMachineInstance").length} VMIs · {bound.filter((o) => o.kind === "Pod").length} pods</div>
      <div class="runs">
        {bound.length === 0 ? <span class="muted">nothing runs here</span> : bound.slice(0, 40).map((o) => (
          <a class="chip" key={o.metadata.uid ?? o.metadata.name} href={href("obj", o.kind === "Pod" ? "pods" : "vmis", o.metadata.namespace ?? "", o.metadata.name)} title={`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${statusOf(o)}`}>
            {o.kind === "Pod" ? "▢" : "◆"} {o.metadata.name}
          </a>
        ))}
        {bound.length > 40 && <span class="muted">+{bound.length - 40} more</span>}
      </div>
    </section>
  );
}

/** The Hosts view: every Node as a card, with what is bound to it. */
export function Hosts() {
  const nodes = useList(collectionPath(KINDS.nodes));
  const pods = useList(collectionPath(KINDS.pods));
  const vmis = useList(collectionPath(KINDS.vmis));
  const usage = useNodeUsage();
  const byNode = new Map<string, KObj[]>();
  for (const o of [...vmis.items.map((v) => ({ ...v, kind: "VirtualMachineInstance" })), ...pods.items.map((p) => ({ ...p, kind: "Pod" }))]) {
    const n = nodeOf(o);
    if (!n || FINISHED.has(str(rec(o.status).phase))) continue;
    const list = byNode.get(n) ?? [];
    list.push(o);
    byNode.set(n, list);
  }
  const sorted = [...nodes.items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const ready = sorted.filter((n) => condition(n, "Ready") === "True").length;
  return (
    <div>
      <h1>Hosts <span class="count">{ready} of {sorted.length} Ready · {vmis.items.length} VMIs · {pods.items.length} pods</span></h1>
      {nodes.error && <div class="error">{nodes.error.code}: {nodes.error.message}</div>}
      {(pods.error || vmis.error) && <div class="notice">Some workloads are hidden: {(pods.error ?? vmis.error)?.message}</div>}
      {nodes.synced && !nodes.error && sorted.length === 0 && <div class="notice">No hosts have joined yet (see agent/README.md: duraplane-agent join).</div>}
      <div class="hosts">
        {sorted.map((n) => <HostCard key={n.metadata.name} node={n} bound={byNode.get(n.metadata.name) ?? []} usage={usage.get(n.metadata.name)} />)}
      </div>
    </div>
  );
}
