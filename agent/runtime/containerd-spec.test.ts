/**
 * Pod container → containerd run spec, pinned by golden files in
 * testdata/containerd-spec/ (regenerate with UPDATE_GOLDEN=1 and review the diff).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { podState, pullPolicy } from "./containerd-containers.ts";
import type { ImageConfig } from "./containerd-images.ts";
import { normalizeRef } from "./containerd-images.ts";
import { ContainerConfigError, containerRunSpec, ctrRunOptions, expand, type PodFacts } from "./containerd-spec.ts";

const GOLDEN = join(fileURLToPath(new URL(".", import.meta.url)), "testdata", "containerd-spec");

const POD: PodFacts = {
  uid: "6f1c2a8e-0000-4000-8000-000000000001", namespace: "demo", name: "web", nodeName: "host-a", serviceAccountName: "builder",
  hostIP: "192.0.2.10", podIP: "192.0.2.10", annotations: { team: "blue" },
};
const BUSYBOX: ImageConfig = { Cmd: ["sh"], Env: ["PATH=/bin"] };
const ENTRYPOINT: ImageConfig = { Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx", "-g", "daemon off;"], WorkingDir: "/srv" };

const CASES: Record<string, { container: Record<string, unknown>; image: ImageConfig }> = {
  "image-defaults": { container: { name: "app", image: "nginx:1.27" }, image: ENTRYPOINT },
  "args-only": { container: { name: "app", image: "nginx:1.27", args: ["nginx", "-T"] }, image: ENTRYPOINT },
  "command-drops-image-cmd": { container: { name: "app", image: "nginx:1.27", command: ["/bin/sh"] }, image: ENTRYPOINT },
  "command-and-args": { container: { name: "app", image: "busybox", command: ["sh", "-c"], args: ["echo $(GREETING) $(MISSING) $$(ESCAPED)"], env: [{ name: "GREETING", value: "hi" }] }, image: BUSYBOX },
  "env-field-refs": {
    container: {
      name: "app", image: "busybox", workingDir: "/work",
      env: [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: "POD_UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
        { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
        { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
        { name: "TEAM", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } },
        { name: "WHERE", value: "$(POD_NAME).$(POD_NAMESPACE)@$(NODE)" },
        { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
      ],
      resources: { limits: { memory: "256Mi" } },
    },
    image: BUSYBOX,
  },
  "limits-and-requests": { container: { name: "app", image: "busybox", resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1500m", memory: "1Gi" } } }, image: BUSYBOX },
  "tiny-cpu-limit": { container: { name: "app", image: "busybox", resources: { limits: { cpu: "1m" } } }, image: BUSYBOX },
};

function golden(name: string, actual: unknown): void {
  const file = join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("pod container → containerd run spec (golden)", () => {
  for (const [name, { container, image }] of Object.entries(CASES)) {
    it(name, () => {
      const spec = containerRunSpec(container, image, POD);
      golden(name, { spec, ctrRunOptions: ctrRunOptions(spec, { "io.kubernetes.container.name": String(container.name) }, "binary:///state/cri-logger.sh?log=%2Fstate%2Fpods%2Fx.log") });
    });
  }
});

describe("pod container mapping: errors and defaults", () => {
  it("unsupported valueFrom sources and fieldPaths are CreateContainerConfigError", () => {
    const secret = { name: "app", env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] };
    expect(() => containerRunSpec(secret, BUSYBOX, POD)).toThrow(ContainerConfigError);
    expect(() => containerRunSpec({ name: "app", env: [{ name: "X", valueFrom: { fieldRef: { fieldPath: "spec.bogus" } } }] }, BUSYBOX, POD)).toThrow('unsupported fieldRef fieldPath "spec.bogus"');
    expect(() => containerRunSpec({ name: "app" }, {}, POD)).toThrow(/no command specified/);
  });

  it("$(VAR) expansion follows upstream: defined names replaced, $$ escapes, unknown left", () => {
    const vars = new Map([["A", "1"]]);
    expect(expand("$(A)-$(B)-$$(A)-$A", vars)).toBe("1-$(B)-$(A)-$A");
  });

  it("imagePullPolicy defaults as the API server does; refs normalize as containerd names them", () => {
    expect(pullPolicy({ image: "busybox" })).toBe("Always");
    expect(pullPolicy({ image: "busybox:latest" })).toBe("Always");
    expect(pullPolicy({ image: "nginx:1.27" })).toBe("IfNotPresent");
    expect(pullPolicy({ image: "nginx@sha256:abc" })).toBe("IfNotPresent");
    expect(pullPolicy({ image: "nginx:1.27", imagePullPolicy: "Never" })).toBe("Never");
    expect(normalizeRef("busybox")).toBe("docker.io/library/busybox:latest");
    expect(normalizeRef("me/app:1")).toBe("docker.io/me/app:1");
    expect(normalizeRef("localhost/duraplane/busybox:latest")).toBe("localhost/duraplane/busybox:latest");
    expect(normalizeRef("localhost:5000/x")).toBe("localhost:5000/x:latest");
  });

  it("pod-level state: a restartable exit while a sibling runs asks for a restart; a completed one does not", () => {
    const exit = (exitCode: number) => ({ phase: "exited" as const, exitCode, reason: exitCode ? "Error" : "Completed", finishedAt: "2026-01-01T00:00:01Z", requested: false });
    const running = { phase: "running" as const, startedAt: "2026-01-01T00:00:00Z" };
    expect(podState("Always", [{ state: running, attempt: 0 }, { state: exit(0), attempt: 2 }])).toMatchObject({ state: { phase: "exited", exitCode: 0 }, attempt: 2 });
    expect(podState("OnFailure", [{ state: running, attempt: 0 }, { state: exit(0), attempt: 0 }]).state.phase).toBe("running");
    expect(podState("OnFailure", [{ state: running, attempt: 0 }, { state: exit(2), attempt: 0 }]).state).toMatchObject({ phase: "exited", exitCode: 2 });
    expect(podState("Never", [{ state: exit(0), attempt: 0 }, { state: exit(3), attempt: 0 }]).state).toMatchObject({ phase: "exited", exitCode: 3 });
  });
});
