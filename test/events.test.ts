/**
 * Controllers' Events in workerd: what a ReplicaSet and a VirtualMachine do
 * shows up as `v1` Events on them, and a repeated Event is counted, not
 * duplicated (client-go's EventCorrelator).
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { eventName, recordEvent } from "../workers/controllers/shared/events";
import { api, eventually, namespace, pod } from "./helpers";

type Event = KubeObject & {
  involvedObject: Record<string, string>;
  reason: string; message: string; type: string; count: number;
  firstTimestamp: string; lastTimestamp: string;
  source: { component?: string }; reportingComponent?: string;
};
type List = { items: Event[] };
const MERGE = { "content-type": "application/merge-patch+json" };

async function eventsAbout(ns: string, name: string): Promise<Event[]> {
  const res = await api<List>("GET", `/api/v1/namespaces/${ns}/events?fieldSelector=involvedObject.name%3D${name}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

describe("controller Events", () => {
  it("records SuccessfulCreate on a ReplicaSet for each pod it creates", async () => {
    const ns = await namespace();
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    const created = await api<KubeObject>("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs);
    expect(created.status).toBe(201);
    await eventually(async () => (await eventsAbout(ns, "web")).filter((e) => e.reason === "SuccessfulCreate").length === 3);
    const pods = (await api<List>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`)).body.items;
    const podNames = pods.map((p) => p.metadata.name ?? "").sort();
    expect(podNames).toHaveLength(3);
    const events = (await eventsAbout(ns, "web")).filter((e) => e.reason === "SuccessfulCreate");
    expect(events.map((e) => e.message).sort()).toEqual(podNames.map((n) => `Created pod: ${n}`));
    for (const e of events) {
      expect(e).toMatchObject({
        type: "Normal", count: 1, source: { component: "replicaset-controller" }, reportingComponent: "replicaset-controller",
        involvedObject: { apiVersion: "apps/v1", kind: "ReplicaSet", namespace: ns, name: "web", uid: created.body.metadata.uid },
      });
      expect(e.metadata.name).toMatch(/^web\.[0-9a-f]{16}$/);
      expect(e.firstTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(e.lastTimestamp).toBe(e.firstTimestamp);
    }
    // Another object's Events are not selected.
    expect(await eventsAbout(ns, "other")).toEqual([]);
  });

  it("records at most a burst of 25 Events per owner, as client-go's spam filter", async () => {
    const ns = await namespace();
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "many" },
      spec: { replicas: 40, selector: { matchLabels: { app: "many" } },
        template: { metadata: { labels: { app: "many" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    expect((await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs)).status).toBe(201);
    await eventually(async () => (await api<List>("GET", `/api/v1/namespaces/${ns}/pods`)).body.items.length === 40);
    await eventually(async () => (await eventsAbout(ns, "many")).length >= 25);
    // Let any straggling reconcile finish: still 25.
    await new Promise((r) => setTimeout(r, 500));
    const events = await eventsAbout(ns, "many");
    expect(events.filter((e) => e.reason === "SuccessfulCreate")).toHaveLength(25);
  });

  it("records SuccessfulDelete with the pod's name when scaling down", async () => {
    const ns = await namespace();
    const rs = {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "down" },
      spec: { replicas: 2, selector: { matchLabels: { app: "down" } },
        template: { metadata: { labels: { app: "down" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, rs);
    const podsPath = `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Ddown`;
    await eventually(async () => (await api<List>("GET", podsPath)).body.items.length === 2);
    const before = (await api<List>("GET", podsPath)).body.items.map((p) => p.metadata.name ?? "");
    await api("PATCH", `/apis/apps/v1/namespaces/${ns}/replicasets/down/scale`, { spec: { replicas: 1 } }, MERGE);
    await eventually(async () => (await eventsAbout(ns, "down")).some((e) => e.reason === "SuccessfulDelete"));
    const [deleted] = (await eventsAbout(ns, "down")).filter((e) => e.reason === "SuccessfulDelete");
    expect(deleted?.type).toBe("Normal");
    expect(before.map((n) => `Deleted pod: ${n}`)).toContain(deleted?.message);
  });

  it("counts a repeated Event on one object instead of adding another", async () => {
    const ns = await namespace();
    const cm = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("cfg"));
    expect(cm.status).toBe(201);
    await recordEvent(env, cm.body, "Warning", "Tested", "something happened", "test-controller");
    const [first] = await eventsAbout(ns, "cfg");
    await new Promise((r) => setTimeout(r, 1100)); // lastTimestamp has whole seconds
    await recordEvent(env, cm.body, "Warning", "Tested", "something happened", "test-controller");
    const events = await eventsAbout(ns, "cfg");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ count: 2, type: "Warning", reason: "Tested", message: "something happened", firstTimestamp: first?.firstTimestamp });
    expect(events[0]?.metadata.name).toBe(first?.metadata.name);
    expect(Date.parse(events[0]?.lastTimestamp ?? "")).toBeGreaterThan(Date.parse(first?.lastTimestamp ?? ""));

    // Concurrent repeats lose no occurrence: the resourceVersion test makes each bump retry.
    await Promise.all([1, 2, 3].map(() => recordEvent(env, cm.body, "Warning", "Tested", "something happened", "test-controller")));
    expect((await eventsAbout(ns, "cfg"))[0]?.count).toBe(5);

    // A different message, type or component is a different Event.
    await recordEvent(env, cm.body, "Warning", "Tested", "something else happened", "test-controller");
    await recordEvent(env, cm.body, "Normal", "Tested", "something happened", "test-controller");
    await recordEvent(env, cm.body, "Warning", "Tested", "something happened", "other-controller");
    const all = await eventsAbout(ns, "cfg");
    expect(all.map((e) => e.count).sort()).toEqual([1, 1, 1, 5]);
  });

  it("names Events deterministically per occurrence and never throws", async () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n", uid: "u-1" } };
    const a = await eventName(obj, "Normal", "R", "m", "c");
    expect(a).toMatch(/^x\.[0-9a-f]{16}$/);
    expect(await eventName(obj, "Normal", "R", "m", "c")).toBe(a);
    expect(await eventName({ ...obj, metadata: { ...obj.metadata, uid: "u-2" } }, "Normal", "R", "m", "c")).not.toBe(a);
    expect(await eventName(obj, "Normal", "R", "m2", "c")).not.toBe(a);
    const long = await eventName({ ...obj, metadata: { ...obj.metadata, name: `${"a".repeat(235)}-b` } }, "Normal", "R", "m", "c");
    expect(long).toMatch(/^a{235}\.[0-9a-f]{16}$/);
    // An invalid Event name fails validation: recordEvent logs and resolves.
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await expect(recordEvent(env, { ...obj, metadata: { ...obj.metadata, name: "Bad_Name" } }, "Normal", "R", "m", "c")).resolves.toBeUndefined();
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("could not record Normal Event R on ConfigMap n/Bad_Name"), expect.anything());
    } finally {
      logged.mockRestore();
    }
  });

  it("records SuccessfulCreate on a VirtualMachine when it starts its VMI", async () => {
    const ns = await namespace();
    const vm = {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "vm1" },
      spec: { runStrategy: "Always", template: { metadata: { labels: { vm: "vm1" } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
    };
    const created = await api<KubeObject>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, vm);
    expect(created.status).toBe(201);
    await eventually(async () => (await eventsAbout(ns, "vm1")).some((e) => e.reason === "SuccessfulCreate"));
    const events = (await eventsAbout(ns, "vm1")).filter((e) => e.reason === "SuccessfulCreate");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "Normal", count: 1, message: "Started the virtual machine by creating the new virtual machine instance vm1",
      source: { component: "virtualmachine-controller" },
      involvedObject: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespace: ns, name: "vm1", uid: created.body.metadata.uid },
    });
    // Halting it deletes the VMI: KubeVirt names the VMI by uid.
    const vmi = (await api<KubeObject>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/vm1`)).body;
    await api("PATCH", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/vm1`, { spec: { runStrategy: "Halted" } }, MERGE);
    await eventually(async () => (await eventsAbout(ns, "vm1")).some((e) => e.reason === "SuccessfulDelete"));
    const [stopped] = (await eventsAbout(ns, "vm1")).filter((e) => e.reason === "SuccessfulDelete");
    expect(stopped?.message).toBe(`Stopped the virtual machine by deleting the virtual machine instance ${vmi.metadata.uid ?? ""}`);
  });

  it("records KubeVirt's SuccessfulCreate on a VMIRS for each VMI", async () => {
    const ns = await namespace();
    const vmirs = {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", metadata: { name: "pool" },
      spec: { replicas: 2, selector: { matchLabels: { app: "pool" } },
        template: { metadata: { labels: { app: "pool" } }, spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } } } },
    };
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`, vmirs);
    await eventually(async () => (await eventsAbout(ns, "pool")).filter((e) => e.reason === "SuccessfulCreate").length === 2);
    const vmis = (await api<List>("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances?labelSelector=app%3Dpool`)).body.items;
    const events = (await eventsAbout(ns, "pool")).filter((e) => e.reason === "SuccessfulCreate");
    expect(events.map((e) => e.message).sort()).toEqual(
      vmis.map((v) => `Started the virtual machine by creating the new virtual machine instance ${v.metadata.name ?? ""}`).sort(),
    );
    expect(events[0]?.source.component).toBe("virtualmachinereplicaset-controller");
  });
});
