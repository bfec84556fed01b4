/**
 * LimitRange inside workerd: defaults and defaultRequest filled on create
 * (with the limit-ranger annotation), min / max / maxLimitRequestRatio
 * enforced with upstream's messages, applied before quota, and through the
 * same code to a VMI's domain resources.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, pod } from "./helpers";
import { createPod, createQuota, podWith, quota } from "./quota-helpers";

function limitRange(name: string, limits: Record<string, unknown>[]): KubeObject {
  return { apiVersion: "v1", kind: "LimitRange", metadata: { name }, spec: { limits } };
}

async function createLimitRange(ns: string, body: KubeObject): Promise<void> {
  const res = await api("POST", `/api/v1/namespaces/${ns}/limitranges`, body);
  if (res.status !== 201) throw new Error(`limitrange create failed: ${res.status} ${JSON.stringify(res.body)}`);
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

describe("LimitRange", () => {
  it("fills defaults and defaultRequest on create and records them", async () => {
    const ns = await namespace("lr");
    await createLimitRange(ns, limitRange("defaults", [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "100m" } }]));
    const stored = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/limitranges/defaults`);
    // SetDefaults_LimitRangeItem: defaultRequest falls back to default.
    expect((stored.body.spec as { limits: { defaultRequest: object }[] }).limits[0]?.defaultRequest).toEqual({ cpu: "100m", memory: "256Mi" });
    const created = await createPod(ns, pod("bare"));
    expect(created.status).toBe(201);
    const container = (created.body.spec as { containers: { resources: Resources }[] }).containers[0];
    expect(container?.resources).toEqual({ limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "256Mi" } });
    expect(created.body.metadata.annotations?.["kubernetes.io/limit-ranger"])
      .toBe("LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web");
    expect((created.body.status as { qosClass?: string }).qosClass).toBe("Burstable");
    // Init containers are defaulted too, and named as such (its cpu request already defaulted to its limit).
    const withInit = pod("init");
    (withInit.spec as { initContainers?: unknown[] }).initContainers = [{ name: "setup", image: "busybox", resources: { limits: { cpu: "1" } } }];
    const initCreated = await createPod(ns, withInit);
    expect(initCreated.body.metadata.annotations?.["kubernetes.io/limit-ranger"]).toBe(
      "LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web; " +
        "memory request for init container setup; memory limit for init container setup",
    );
    // What a container states is kept.
    const own = await createPod(ns, podWith("own", { cpu: "200m" }, { cpu: "300m" }));
    expect((own.body.spec as { containers: { resources: Resources }[] }).containers[0]?.resources)
      .toEqual({ limits: { cpu: "300m", memory: "256Mi" }, requests: { cpu: "200m", memory: "256Mi" } });
  });

  it("enforces min, max and maxLimitRequestRatio with upstream's messages", async () => {
    const ns = await namespace("lr");
    await createLimitRange(ns, limitRange("bounds", [
      { type: "Container", max: { cpu: "1" }, min: { memory: "64Mi" }, maxLimitRequestRatio: { cpu: "4" } },
    ]));
    const big = await createPod(ns, podWith("big", { cpu: "1" }, { cpu: "2" }));
    expect(big.status).toBe(403);
    expect(big.body.message).toBe('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    const small = await createPod(ns, podWith("small", { memory: "32Mi" }));
    expect(small.body.message).toBe('pods "small" is forbidden: minimum memory usage per Container is 64Mi, but request is 32Mi');
    const ratio = await createPod(ns, podWith("ratio", { cpu: "100m" }, { cpu: "1" }));
    expect(ratio.body.message).toBe('pods "ratio" is forbidden: cpu max limit to request ratio per Container is 4, but provided ratio is 10.000000');
    const both = await createPod(ns, podWith("both", { cpu: "100m", memory: "32Mi" }, { cpu: "2" }));
    expect(both.body.message).toBe(
      'pods "both" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu usage per Container is 1, but limit is 2, ' +
        "cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000]",
    );
    // Defaults from max and min make a bare pod fit.
    expect((await createPod(ns, pod("fits"))).status).toBe(201);
  });

  it("bounds the pod's sum with a Pod item", async () => {
    const ns = await namespace("lr");
    await createLimitRange(ns, limitRange("pod", [{ type: "Pod", max: { memory: "1Gi" } }]));
    const body = podWith("two", { memory: "600Mi" }, { memory: "600Mi" });
    (body.spec as { containers: unknown[] }).containers.push({ name: "side", image: "x", resources: { limits: { memory: "600Mi" } } });
    expect((await createPod(ns, body)).body.message).toBe('pods "two" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
  });

  it("applies before quota: defaults satisfy a compute quota's requirements and count against it", async () => {
    const ns = await namespace("lr");
    await createLimitRange(ns, limitRange("mem", [{ type: "Container", default: { memory: "512Mi" } }]));
    await createQuota(ns, quota("q", { "requests.memory": "1Gi", "limits.memory": "1Gi" }));
    expect((await createPod(ns, pod("a"))).status).toBe(201);
    expect((await createPod(ns, pod("b"))).status).toBe(201);
    expect((await createPod(ns, pod("c"))).body.message).toBe(
      'pods "c" is forbidden: exceeded quota: q, requested: limits.memory=512Mi,requests.memory=512Mi, used: limits.memory=1Gi,requests.memory=1Gi, limited: limits.memory=1Gi,requests.memory=1Gi',
    );
  });

  it("defaults and bounds a VMI's domain resources through the same code", async () => {
    const ns = await namespace("lr");
    await createLimitRange(ns, limitRange("vm", [{ type: "Container", max: { memory: "1Gi" }, defaultRequest: { cpu: "250m" } }]));
    const vmi = (name: string, memory: string): KubeObject => ({
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name },
      spec: { domain: { devices: {}, resources: { requests: { memory } } } },
    });
    const ok = await api<KubeObject>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi("fits", "512Mi"));
    expect(ok.status).toBe(201);
    expect((ok.body.spec as { domain: { resources: Resources } }).domain.resources)
      .toEqual({ limits: { memory: "1Gi" }, requests: { cpu: "250m", memory: "512Mi" } });
    const big = await api<{ message: string }>("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, vmi("big", "2Gi"));
    expect(big.status).toBe(403);
    expect(big.body.message).toBe('virtualmachineinstances.kubevirt.io "big" is forbidden: maximum memory usage per Container is 1Gi, but request is 2Gi');
  });

  it("validates items as upstream", async () => {
    const ns = await namespace("lr");
    const bad = await api<{ message: string }>("POST", `/api/v1/namespaces/${ns}/limitranges`,
      limitRange("bad", [{ type: "Container", min: { cpu: "2" }, max: { cpu: "1" } }, { type: "Pod", default: { cpu: "1" } }]));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toContain("spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1");
    expect(bad.body.message).toContain("spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'");
  });
});
