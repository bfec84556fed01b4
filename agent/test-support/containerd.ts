/**
 * @module
 * For tests against the real containerd: they run only with
 * DURAPLANE_REAL_RUNTIMES=1 (CI sets it, and then a missing daemon fails
 * them), each file in its own throw-away namespace `duraplane-test-<pid>-<n>`
 * that `sweepNamespace` empties and removes — tasks, containers, images —
 * in afterAll, and that a later run removes too if its process died first.
 */
import { execFileSync } from "node:child_process";
import { LABELS } from "../runtime/containerd-containers.ts";
import { containerdMissing, Ctr, tableRows } from "../runtime/ctr.ts";

/** Whether the real-runtime tests run here. */
export const REAL_RUNTIMES = process.env.DURAPLANE_REAL_RUNTIMES === "1";

const PREFIX = "duraplane-test-";
let counter = 0;

/** A fresh test namespace's client; throws when containerd is not usable (so CI fails rather than skips). */
export async function testCtr(): Promise<Ctr> {
  const missing = await containerdMissing();
  if (missing) throw new Error(`DURAPLANE_REAL_RUNTIMES=1 but ${missing}`);
  await sweepDeadNamespaces();
  return new Ctr({ namespace: `${PREFIX}${process.pid}-${++counter}-${Date.now().toString(36)}` });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes test namespaces whose test process is gone. */
async function sweepDeadNamespaces(): Promise<void> {
  const out = execFileSync("ctr", ["namespaces", "ls", "-q"], { encoding: "utf8" });
  for (const ns of out.split("\n").map((s) => s.trim()).filter((s) => s.startsWith(PREFIX))) {
    const pid = Number(ns.slice(PREFIX.length).split("-")[0]);
    if (Number.isInteger(pid) && !alive(pid)) await sweepNamespace(new Ctr({ namespace: ns }));
  }
}

/** Kills and deletes every task, container and image of the namespace, then the namespace. */
export async function sweepNamespace(ctr: Ctr): Promise<void> {
  if (!ctr.namespace.startsWith(PREFIX)) throw new Error(`refusing to sweep ${ctr.namespace}: not a test namespace`);
  const tasks = tableRows(await ctr.run(["tasks", "ls"]).catch(() => "")).map((r) => r[0] ?? "").filter((s) => s !== "");
  for (const t of tasks) await ctr.exec(["tasks", "kill", "--signal", "SIGKILL", "--all", t]);
  for (const t of tasks) {
    for (let i = 0; i < 50; i++) {
      const r = await ctr.exec(["tasks", "delete", "--force", t]);
      if (r.exitCode === 0 || /not found/.test(r.stderr)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  const containers = (await ctr.run(["containers", "ls", "-q"]).catch(() => "")).split("\n").map((s) => s.trim()).filter((s) => s !== "");
  if (containers.length) await ctr.exec(["containers", "delete", ...containers]);
  const images = (await ctr.run(["images", "ls", "-q"]).catch(() => "")).split("\n").map((s) => s.trim()).filter((s) => s !== "");
  if (images.length) await ctr.exec(["images", "rm", ...images]);
  const leases = tableRows(await ctr.run(["leases", "ls"]).catch(() => "")).map((r) => r[0] ?? "").filter((s) => s !== "");
  if (leases.length) await ctr.exec(["leases", "rm", ...leases]);
  // Content and snapshots go with the garbage collector, which runs later: remove them outright.
  const blobs = tableRows(await ctr.run(["content", "ls"]).catch(() => "")).map((r) => r[0] ?? "").filter((s) => s.startsWith("sha256:"));
  if (blobs.length) await ctr.exec(["content", "rm", ...blobs]);
  let last = "";
  for (let i = 0; i < 50; i++) {
    // Children before parents: retrying removes one layer of the snapshot tree per round.
    const snapshots = tableRows(await ctr.run(["snapshots", "ls"]).catch(() => "")).map((r) => r[0] ?? "").filter((s) => s !== "");
    for (const s of snapshots) await ctr.exec(["snapshots", "rm", s]);
    const r = await ctr.exec(["namespaces", "remove", ctr.namespace]);
    if (r.exitCode === 0) return;
    last = r.stderr.trim();
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`could not remove namespace ${ctr.namespace}: ${last}`);
}

/** The containers left in a namespace (tests assert none leak). */
export async function containerIds(ctr: Ctr): Promise<string[]> {
  return (await ctr.run(["containers", "ls", "-q"])).split("\n").map((s) => s.trim()).filter((s) => s !== "");
}

/** The containers the agent of `node` made (the node label it puts on each), in the client's namespace. */
export async function containersOfNode(ctr: Ctr, node: string): Promise<string[]> {
  return (await ctr.run(["containers", "ls", "-q", `labels."${LABELS.node}"==${node}`])).split("\n").map((s) => s.trim()).filter(Boolean);
}

/** Kills and deletes one container and its task, whatever state they are in. */
export async function removeContainer(ctr: Ctr, id: string): Promise<void> {
  await ctr.exec(["tasks", "kill", "-s", "SIGKILL", id]);
  await ctr.exec(["tasks", "delete", "-f", id]);
  await ctr.exec(["containers", "delete", id]);
}

/** Removes every container the agent of `node` left behind; returns their ids. */
export async function sweepNodeContainers(ctr: Ctr, node: string): Promise<string[]> {
  const ids = await containersOfNode(ctr, node).catch(() => []);
  for (const id of ids) await removeContainer(ctr, id);
  return ids;
}
