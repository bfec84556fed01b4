/**
 * The rollout phase of bench/converge.ts: a Deployment whose N pods are all
 * Ready gets a new template (as `kubectl set image` would), and the bench
 * plays the kubelet for every new pod — it lists the namespace's pods and
 * marks each one not yet Ready Running and Ready — until the Deployment's
 * status says the rollout is over: `observedGeneration` current, and
 * `replicas`, `updatedReplicas` and `availableReplicas` all N (old pods gone).
 *
 * Its floor is the work a rollout needs at least: N pod creates and N
 * readiness patches, measured by the floor phase of the same run.
 */
import type { Agent } from "node:https";
import { ok, pool, type Target } from "./converge-phases.ts";

/** What the rollout phase saw. */
export interface RolloutResult {
  converged: boolean;
  /** From the template PATCH sent to the GET that saw the rollout complete (or the give-up). */
  ms: number;
  /** Readiness patches the bench sent (one per new pod it found not Ready). */
  readinessPatches: number;
  /** [seconds, updatedReplicas, availableReplicas], one point per change: the rollout curve. */
  curve: [number, number, number][];
  /** The status when the phase ended. */
  last: { replicas: number; updatedReplicas: number; availableReplicas: number };
}

interface PodItem {
  metadata?: { name?: string; deletionTimestamp?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: PodItem): boolean => (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/** Pods of `path` that are not being deleted and not Ready, following `continue`. */
async function unreadyPods(t: Target, agent: Agent, path: string): Promise<string[]> {
  const out: string[] = [];
  let token = "";
  do {
    const page = await ok(t, agent, "GET", `${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
    const parsed = JSON.parse(page.body) as { items?: PodItem[]; metadata?: { continue?: string } };
    for (const p of parsed.items ?? []) {
      const name = p.metadata?.name;
      if (name && p.metadata?.deletionTimestamp === undefined && !isReady(p)) out.push(name);
    }
    token = parsed.metadata?.continue ?? "";
  } while (token !== "");
  return out;
}

/** Runs the rollout of the Deployment at `owner` (its pods in `podsPath`) to N; see the module comment. */
export async function rollout(
  t: Target, agent: Agent, poller: Agent, clients: number,
  owner: string, podsPath: string, templatePatch: string, readyPatch: string, n: number, timeoutMs: number,
): Promise<RolloutResult> {
  const start = process.hrtime.bigint();
  const since = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  await ok(t, poller, "PATCH", owner, templatePatch);
  const patched = new Set<string>();
  const curve: [number, number, number][] = [];
  let last = { replicas: 0, updatedReplicas: 0, availableReplicas: 0 };
  for (;;) {
    const res = await ok(t, poller, "GET", owner);
    const d = JSON.parse(res.body) as { metadata?: { generation?: number }; status?: Record<string, unknown> };
    const status = d.status ?? {};
    last = { replicas: num(status.replicas), updatedReplicas: num(status.updatedReplicas), availableReplicas: num(status.availableReplicas) };
    const ms = Number(res.endNs - start) / 1e6;
    const prev = curve[curve.length - 1];
    if (!prev || prev[1] !== last.updatedReplicas || prev[2] !== last.availableReplicas) curve.push([ms / 1000, last.updatedReplicas, last.availableReplicas]);
    const current = num(status.observedGeneration) >= num(d.metadata?.generation);
    if (current && last.replicas === n && last.updatedReplicas === n && last.availableReplicas === n) {
      return { converged: true, ms, readinessPatches: patched.size, curve, last };
    }
    if (ms >= timeoutMs) return { converged: false, ms, readinessPatches: patched.size, curve, last };
    // A pod already patched may be listed before its Ready lands in the list: patch each once.
    const todo = (await unreadyPods(t, poller, podsPath)).filter((name) => !patched.has(name));
    for (const name of todo) patched.add(name);
    if (todo.length > 0) {
      await pool(clients, todo.length, async (i) => {
        // A pod the controller deleted meanwhile answers 404: nothing to make ready.
        await ok(t, agent, "PATCH", `${podsPath}/${todo[i] ?? ""}/status`, readyPatch).catch((err: unknown) => {
          if (!(err instanceof Error && / answered 404/.test(err.message))) throw err;
        });
      });
    } else if (since() < timeoutMs) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
