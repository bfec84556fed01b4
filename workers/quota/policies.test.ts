import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/k8s/object";
import { amountsOf, formatAmounts } from "../../shared/k8s/quota-amount";
import type { QuotaDefinition } from "./policy";
import { POLICIES } from "./policies";
import { chargeUnder, checkCharge } from "./quota-check";

function def(hard: Record<string, string>, extra: Partial<QuotaDefinition> = {}): QuotaDefinition {
  return { name: "q", hard: amountsOf(hard), scopes: [], annotations: {}, ...extra };
}

const podOf = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec, ...(status ? { status } : {}),
});

const standard = (d: QuotaDefinition) => ({ def: d, policy: POLICIES.standard ?? expect.fail("no standard"), used: {} });

describe("standard policy", () => {
  it("charges containers summed, at least the largest init container, sidecars and overhead", () => {
    const pod = podOf({
      containers: [{ name: "a", resources: { requests: { cpu: "100m" } } }, { name: "b", resources: { limits: { memory: "1Gi" } } }],
      initContainers: [
        { name: "side", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } },
        { name: "init", resources: { requests: { cpu: "2" } } },
      ],
      overhead: { cpu: "10m" },
    });
    const hard = { pods: "9", "requests.cpu": "9", "requests.memory": "9Gi", "limits.memory": "9Gi", "count/pods": "9" };
    expect(formatAmounts(chargeUnder(standard(def(hard)), { resource: "/pods", object: pod }))).toEqual({
      pods: "1", "count/pods": "1", "requests.cpu": "2060m", "requests.memory": "1Gi", "limits.memory": "1Gi",
    });
    // Terminal: only the object count stays.
    const done = podOf(pod.spec as Record<string, unknown>, { phase: "Failed" });
    expect(formatAmounts(chargeUnder(standard(def(hard)), { resource: "/pods", object: done }))).toEqual({ "count/pods": "1" });
  });

  it.each([
    [["BestEffort"], {}, true],
    [["BestEffort"], { requests: { cpu: "1" } }, false],
    [["NotBestEffort"], { requests: { cpu: "1" } }, true],
    [["Terminating"], {}, false],
    [["NotTerminating"], {}, true],
  ])("scopes %j on resources %j match: %s", (scopes, resources, matches) => {
    const d = def({ pods: "1" }, { scopes: scopes.map((scopeName) => ({ scopeName, operator: "Exists" })) });
    const pod = podOf({ containers: [{ name: "c", resources }] });
    expect(POLICIES.standard?.matches(d, { resource: "/pods", object: pod })).toBe(matches);
  });

  it.each([
    ["In", ["gold"], "gold", true], ["In", ["gold"], "", false], ["NotIn", ["gold"], "silver", true],
    ["Exists", undefined, "x", true], ["Exists", undefined, "", false], ["DoesNotExist", undefined, "", true],
  ])("PriorityClass %s %j on %j matches: %s", (operator, values, priorityClassName, matches) => {
    const d = def({ pods: "1" }, { scopes: [{ scopeName: "PriorityClass", operator, ...(values ? { values } : {}) }] });
    const pod = podOf({ containers: [{ name: "c" }], ...(priorityClassName ? { priorityClassName } : {}) });
    expect(POLICIES.standard?.matches(d, { resource: "/pods", object: pod })).toBe(matches);
  });

  it("words a refusal as upstream: only what is exceeded, sorted, comma-joined", () => {
    const state = { ...standard(def({ pods: "2", "requests.memory": "2Gi" })), used: amountsOf({ pods: "1", "requests.memory": "1Gi" }) };
    const pod = podOf({ containers: [{ name: "c", resources: { requests: { memory: "2Gi" } } }] });
    const after = chargeUnder(state, { resource: "/pods", object: pod });
    expect(checkCharge(state, {}, after, { resource: "/pods", object: pod }, true))
      .toBe("exceeded quota: q, requested: requests.memory=2Gi, used: requests.memory=1Gi, limited: requests.memory=2Gi");
    expect(checkCharge(state, after, after, { resource: "/pods", object: pod }, false)).toBeUndefined();
  });
});

describe("vm-guest and overcommit policies", () => {
  const vm = (runStrategy: string): KubeObject => ({
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "v" },
    spec: { runStrategy, template: { spec: { domain: { cpu: { sockets: 2, cores: 2, threads: 2 }, memory: { guest: "3Gi" } } } } },
  });

  it.each([["Always", "8"], ["RerunOnFailure", "8"], ["Once", "8"], ["Halted", undefined], ["Manual", undefined]])(
    "a VM with runStrategy %s is charged %s vCPUs", (strategy, cpu) => {
      const d = def({ "requests.cpu": "100" }, { annotations: { "quota.duraplane.io/policy": "vm-guest" } });
      const policy = POLICIES["vm-guest"] ?? expect.fail("no vm-guest");
      const charged = formatAmounts(chargeUnder({ def: d, policy, used: {} }, { resource: "kubevirt.io/virtualmachines", object: vm(strategy) }));
      expect(charged["requests.cpu"]).toBe(cpu);
    });

  it("overcommit charges limits at request × ratio", () => {
    const d = def({ "limits.memory": "10Gi", "limits.cpu": "10" }, { annotations: { "quota.duraplane.io/overcommit": "2.5" } });
    const policy = POLICIES.overcommit ?? expect.fail("no overcommit");
    const pod = podOf({ containers: [{ name: "c", resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "4" } } }] });
    expect(formatAmounts(chargeUnder({ def: d, policy, used: {} }, { resource: "/pods", object: pod }))).toEqual({ "limits.cpu": "500m", "limits.memory": "2560Mi" });
  });
});
