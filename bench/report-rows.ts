/**
 * The rows of bench/REPORT.md's table: for each suite's results JSON, each
 * headline figure beside the floor the same run measured, their ratio, and
 * what both are timed (or counted) from and to. One reader per suite; the
 * shapes are those the suites write (bench/README.md describes them).
 */
import { at, type Json, list, medianOf, num, numbers, str } from "./report-json.ts";

/** One line of the table. */
export interface ReportRow {
  suite: string;
  figure: string;
  value: number;
  /** The floor's figure from the same run, in the same unit. */
  floor: number | undefined;
  unit: "ms" | "s" | "/s" | "calls" | "stmts" | "CPU ms";
  /** What the figure measures, from → to. */
  measures: string;
  /** What the floor is. */
  floorIs: string;
}

/** value ÷ floor (for throughput the ratio is also value ÷ floor: below 1 is the overhead). */
export function ratioOf(r: ReportRow): number | undefined {
  return r.floor === undefined || r.floor === 0 ? undefined : r.value / r.floor;
}

type Reader = (results: Json) => ReportRow[];

/** Keeps the rows whose figure was found. */
function rows(...candidates: (Omit<ReportRow, "value"> & { value: number | undefined })[]): ReportRow[] {
  return candidates.flatMap((c) => (c.value === undefined ? [] : [{ ...c, value: c.value }]));
}

/** "1 client", "8 clients". */
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;

const CREATE = "pod create: request start → last response byte";
const FLOOR_WRITE = "POST /debug/bench-floor: one new Durable Object write of the same body, same Worker and TLS";

const writes: Reader = (j) => list(j, "results").flatMap((level) => {
  const c = plural(num(level, "clients") ?? 0, "client");
  const rounds = list(level, "rounds");
  const med = (...path: string[]) => medianOf(rounds.flatMap((r) => numbers([num(r, ...path)])));
  const base = { suite: "writes", floorIs: FLOOR_WRITE };
  return rows(
    { ...base, figure: `creates/s, ${c}`, unit: "/s", value: num(level, "median", "realPerSecond"), floor: num(level, "median", "floorPerSecond"),
      measures: "completed creates ÷ wall time, first request sent → last answer" },
    { ...base, figure: `create p50, ${c}`, unit: "ms", value: med("real", "p50Ms"), floor: med("floor", "p50Ms"), measures: CREATE },
    { ...base, figure: `create p99, ${c}`, unit: "ms", value: num(level, "median", "realP99Ms"), floor: num(level, "median", "floorP99Ms"), measures: CREATE },
  );
});

const watch: Reader = (j) => {
  const reports = list(j, "reports");
  const floor = reports.find((r) => num(r, "watchers") === 0);
  const floorIs = "the same run's 0-watcher phase: create latency, request start → last response byte";
  // Results written before delivery was timed from the request's start (it was from the answer, and could be negative) have no marker.
  const deliveryKnown = str(j, "deliveryFrom") === "request start";
  return reports.filter((r) => (num(r, "watchers") ?? 0) > 0).flatMap((r) => {
    const w = plural(num(r, "watchers") ?? 0, "watcher");
    const base = { suite: "watch", unit: "ms" as const, floorIs };
    return rows(
      { ...base, figure: `create p50, ${w}`, value: num(r, "writes", "p50Ms"), floor: num(floor, "writes", "p50Ms"), measures: CREATE },
      { ...base, figure: `create p99, ${w}`, value: num(r, "writes", "p99Ms"), floor: num(floor, "writes", "p99Ms"), measures: CREATE },
      { ...base, figure: `delivery p50, ${w}`, value: deliveryKnown ? num(r, "delivery", "p50Ms") : undefined, floor: num(floor, "writes", "p50Ms"),
        measures: "create request start → its ADDED event read by a watcher (every watcher × write)" },
      { ...base, figure: `delivery p99, ${w}`, value: deliveryKnown ? num(r, "delivery", "p99Ms") : undefined, floor: num(floor, "writes", "p99Ms"),
        measures: "create request start → its ADDED event read by a watcher (every watcher × write)" },
    );
  });
};

const converge: Reader = (j) => list(j, "rows").flatMap((r) => {
  const label = `${str(r, "kind") ?? "?"} 0 → ${num(r, "n") ?? "?"}`;
  const s = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  return rows(
    { suite: "converge", figure: `${label}: replicas`, unit: "s", value: at(r, "converge", "converged") === true ? s(num(r, "converge", "ms")) : undefined,
      floor: s(num(r, "floorCreateMs")), measures: "scale PATCH sent → a GET sees status.replicas = N",
      floorIs: "N children created directly through the API by the same clients (wall time)" },
    { suite: "converge", figure: `${label}: readyReplicas`, unit: "s", value: at(r, "ready", "converged") === true ? s(num(r, "ready", "ms")) : undefined,
      floor: s(num(r, "floorPatchMs")), measures: "first readiness status patch sent → a GET sees status.readyReplicas = N",
      floorIs: "N readiness status patches on children no controller owns (wall time)" },
    { suite: "converge", figure: `${label}: rollout`, unit: "s", value: at(r, "rollout", "converged") === true ? s(num(r, "rollout", "ms")) : undefined,
      floor: s((num(r, "floorCreateMs") ?? Number.NaN) + (num(r, "floorPatchMs") ?? Number.NaN)),
      measures: "new template PATCH sent → a GET sees every pod updated and available",
      floorIs: "the floor's N creates plus N readiness patches (wall time): the new pods at least" },
  );
});

const drain: Reader = (j) => {
  const ms = at(j, "drain", "converged") === true ? num(j, "drain", "ms") : undefined;
  const floor = num(j, "floorMs");
  return rows({
    suite: "drain", figure: `drain ${num(j, "vmis") ?? "?"} VMIs off a host (${num(j, "hosts") ?? "?"} hosts)`, unit: "s",
    value: ms === undefined ? undefined : ms / 1000, floor: floor === undefined ? undefined : floor / 1000,
    measures: "source host cordoned → no VMI on it (every VMI live-migrated)",
    floorIs: `the simulated transfers alone: ceil(N ÷ ${num(j, "outboundPerNode") ?? 2}) waves of one migration duration`,
  });
};

const fleet: Reader = (j) => {
  const hosts = num(j, "hosts") ?? 0;
  const floorIs = "each object created then its status written Running directly (no hosts, no controllers)";
  const kind = (k: "vmis" | "pods", what: string) => {
    const base = { suite: "fleet", unit: "s" as const, floorIs: `${floorIs}: create sent → status write answered` };
    const s = (...path: string[]) => {
      const ms = num(j, ...path);
      return ms === undefined ? undefined : ms / 1000;
    };
    return rows(
      { ...base, figure: `${what} p50 (${hosts} hosts)`, value: s("real", k, "p50"), floor: s("floor", k, "p50"),
        measures: "object first seen on the watch → first seen Running with Ready=True" },
      { ...base, figure: `${what} p99 (${hosts} hosts)`, value: s("real", k, "p99"), floor: s("floor", k, "p99"),
        measures: "object first seen on the watch → first seen Running with Ready=True" },
    );
  };
  const all = num(j, "real", "allMs");
  const floorAll = num(j, "floor", "allMs");
  return [
    ...rows({ suite: "fleet", figure: `all ${num(j, "vmis") ?? 0} VMIs and ${num(j, "pods") ?? 0} pods Running (${hosts} hosts)`, unit: "s",
      value: all === undefined ? undefined : all / 1000, floor: floorAll === undefined ? undefined : floorAll / 1000,
      measures: "VMIRS and ReplicaSet create sent → the last object seen Running and Ready", floorIs: `${floorIs}: wall time for all` }),
    ...kind("vmis", "VMI"), ...kind("pods", "pod"),
  ];
};

const listBench: Reader = (j) => {
  const cases = list(j, "cases");
  const floor = cases.find((c) => str(c, "name") === "floor");
  return cases.filter((c) => c !== floor).flatMap((c) => {
    const base = { suite: "list", unit: "ms" as const, measures: str(c, "measures") ?? "", floorIs: str(floor, "measures") ?? "GET of one pod" };
    const name = `${str(c, "name") ?? "?"} (${num(c, "items") ?? "?"} pods)`;
    return rows(
      { ...base, figure: `${name} p50`, value: num(c, "p50Ms"), floor: num(floor, "p50Ms") },
      { ...base, figure: `${name} p99`, value: num(c, "p99Ms"), floor: num(floor, "p99Ms") },
    );
  });
};

const streams: Reader = (j) => {
  const loop = "the same on a loopback TLS server in the bench process, no control plane";
  const pair = (figure: string, measures: string, floorIs: string, real: string[], fl: string[]) => rows(
    { suite: "streams", figure: `${figure} p50`, unit: "ms", value: num(j, ...real, "p50"), floor: num(j, ...fl, "p50"), measures, floorIs },
    { suite: "streams", figure: `${figure} p99`, unit: "ms", value: num(j, ...real, "p99"), floor: num(j, ...fl, "p99"), measures, floorIs },
  );
  return [
    ...pair("exec", "exec WebSocket connect → first stdout byte", loop, ["exec", "real"], ["exec", "floor"]),
    ...pair("logs -f line", "log line written on the host → received", loop, ["logs", "real"], ["logs", "floor"]),
    ...pair("kubectl exec", "kubectl exec -- echo hi, process start → exit", "kubectl get --raw /version, process start → exit", ["kubectl", "exec"], ["kubectl", "raw"]),
  ];
};

const fairness: Reader = (j) => {
  const results = list(j, "results");
  const med = (...path: string[]) => medianOf(results.flatMap((r) => numbers([num(r, ...path)])));
  const base = { suite: "fairness", unit: "ms" as const, measures: "the quiet user's create while another floods: request start → last response byte",
    floorIs: "the quiet user's creates alone, same run" };
  return rows(
    { ...base, figure: "quiet user's create p50, flooded", value: med("flooded", "p50Ms"), floor: med("alone", "p50Ms") },
    { ...base, figure: "quiet user's create p99, flooded", value: med("flooded", "p99Ms"), floor: med("alone", "p99Ms") },
  );
};

const cost: Reader = (j) => {
  const phases = list(j, "phases");
  const floor = phases.find((p) => (str(p, "phase") ?? "").startsWith("floor"));
  const per = (p: Json, key: string) => {
    const n = num(p, "counts", key);
    const req = num(p, "requests");
    return n === undefined || !req ? undefined : n / req;
  };
  const floorIs = "one new Durable Object write of a pod's body (bench/writes' floor), counted the same way";
  // Writes only: the floor is a write, so a get's or a list's count beside it says nothing; webhook phases count a window, not requests.
  return phases.filter((p) => p !== floor && ["create", "patch"].includes(str(p, "unit") ?? "")).flatMap((p) => {
    const name = str(p, "phase") ?? "?";
    const base = { suite: "cost", measures: `per ${str(p, "unit") ?? "request"}, counted by the cost build (not timed)`, floorIs };
    return rows(
      { ...base, figure: `${name}: Durable Object calls`, unit: "calls", value: per(p, "do.calls"), floor: per(floor, "do.calls") },
      { ...base, figure: `${name}: SQL statements`, unit: "stmts", value: per(p, "sql.statements"), floor: per(floor, "sql.statements") },
    );
  });
};

const profile: Reader = (j) => {
  const phases = list(j, "phases");
  const floor = phases.find((p) => str(p, "name") === "floor");
  return phases.filter((p) => p !== floor && str(p, "name") === "creates").flatMap((p) => rows({
    suite: "profile", figure: "create: sampled CPU per request", unit: "CPU ms", value: num(p, "cpuMsPerRequest"), floor: num(floor, "cpuMsPerRequest"),
    measures: "V8 CPU profile of the isolate over the phase ÷ its requests", floorIs: "the same for bench/writes' floor writes",
  }));
};

/** Each suite's reader, in the report's order. */
export const READERS: Record<string, Reader> = { writes, watch, list: listBench, converge, fleet, drain, streams, fairness, cost, profile };
