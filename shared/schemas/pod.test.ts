import { describe, expect, it } from "vitest";
import type { StatusCause } from "../k8s/errors";
import type { KubeObject } from "../k8s/object";
import { decodeObject } from "./decode";
import { podStrategy } from "./core-v1/pod";

const KIND = { schema: podStrategy.schema, kind: "Pod", group: "", version: "v1" };

/** Decode, default and validate, as a create does. */
function admit(spec: Record<string, unknown>, name = "web"): { obj: KubeObject; causes: StatusCause[] } {
  const obj = decodeObject({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec }, KIND, { strict: true });
  podStrategy.applyDefaults(obj);
  return { obj, causes: podStrategy.validate(obj) };
}

function update(oldSpec: Record<string, unknown>, newSpec: Record<string, unknown>): StatusCause[] {
  const old = admit(oldSpec).obj;
  const next = admit(newSpec).obj;
  return podStrategy.validate(next, old);
}

const C = { name: "app", image: "nginx:1.27" };

describe("Pod defaults", () => {
  it("fills what `kubectl get pod -o yaml` shows upstream", () => {
    const { obj, causes } = admit({ containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 80 }] }] });
    expect(causes).toEqual([]);
    expect(obj.spec).toEqual({
      containers: [
        {
          name: "app",
          image: "nginx",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          resources: {},
          imagePullPolicy: "Always",
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
      serviceAccountName: "default",
      serviceAccount: "default",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
    });
  });

  it.each([
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["localhost:5000/nginx", "Always"],
    ["localhost:5000/nginx:1", "IfNotPresent"],
    ["nginx@sha256:abc", "IfNotPresent"],
    ["nginx:latest@sha256:abc", "Always"],
  ])("defaults imagePullPolicy of %s to %s", (image, policy) => {
    const { obj } = admit({ containers: [{ name: "app", image }] });
    expect((obj.spec as { containers: { imagePullPolicy: string }[] }).containers[0]?.imagePullPolicy).toBe(policy);
  });

  it("keeps user values, fills probe, volume and request defaults, and leaves free-form fields alone", () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } };
    const { obj, causes } = admit({
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 5,
      affinity,
      tolerations: [{ operator: "Exists" }],
      volumes: [{ name: "cfg", configMap: { name: "c" } }, { name: "scratch" }],
      containers: [
        {
          ...C,
          imagePullPolicy: "Never",
          resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } },
          readinessProbe: { httpGet: { port: 80 } },
          volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg" }],
          env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
        },
      ],
    });
    expect(causes).toEqual([]);
    const spec = obj.spec as Record<string, unknown> & { containers: Record<string, unknown>[] };
    expect(spec["restartPolicy"]).toBe("Never");
    expect(spec["terminationGracePeriodSeconds"]).toBe(5);
    expect(spec["affinity"]).toEqual(affinity);
    // A toleration of everything already covers the not-ready/unreachable taints.
    expect(spec["tolerations"]).toEqual([{ operator: "Exists" }]);
    expect(spec["volumes"]).toEqual([
      { name: "cfg", configMap: { name: "c", defaultMode: 420 } },
      { name: "scratch", emptyDir: {} },
    ]);
    const c = spec.containers[0];
    expect(c?.["imagePullPolicy"]).toBe("Never");
    expect(c?.["resources"]).toEqual({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } });
    expect(c?.["readinessProbe"]).toEqual({
      httpGet: { port: 80, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c?.["env"]).toEqual([{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } }]);
  });
});

const DNS_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("Pod validation", () => {
  const cases: { name: string; spec: Record<string, unknown>; causes: StatusCause[] }[] = [
    {
      name: "no containers",
      spec: { containers: [] },
      causes: [{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers" }],
    },
    {
      name: "a container name that is not a DNS label",
      spec: { containers: [{ name: "Web_1", image: "x" }] },
      causes: [{ reason: "FieldValueInvalid", message: `Invalid value: "Web_1": ${DNS_LABEL_ERR}`, field: "spec.containers[0].name" }],
    },
    {
      name: "no image",
      spec: { containers: [{ name: "app" }] },
      causes: [{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].image" }],
    },
    {
      name: "an image with surrounding spaces",
      spec: { containers: [{ name: "app", image: " nginx" }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: " nginx": must not have leading or trailing whitespace',
          field: "spec.containers[0].image",
        },
      ],
    },
    {
      name: "names shared by an app and an init container",
      spec: { containers: [C], initContainers: [{ name: "app", image: "busybox" }] },
      causes: [{ reason: "FieldValueDuplicate", message: 'Duplicate value: "app"', field: "spec.initContainers[0].name" }],
    },
    {
      name: "ports out of range or missing",
      spec: { containers: [{ ...C, ports: [{ containerPort: 70000 }, { containerPort: 0, hostPort: -1 }] }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 70000: must be between 1 and 65535, inclusive",
          field: "spec.containers[0].ports[0].containerPort",
        },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.containers[0].ports[1].containerPort" },
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: -1: must be between 1 and 65535, inclusive",
          field: "spec.containers[0].ports[1].hostPort",
        },
      ],
    },
    {
      name: "a request above its limit",
      spec: { containers: [{ ...C, resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "2": must be less than or equal to cpu limit of 1',
          field: "spec.containers[0].resources.requests",
        },
      ],
    },
    {
      name: "a negative quantity",
      spec: { containers: [{ ...C, resources: { requests: { memory: "-1Gi" } } }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "-1Gi": must be greater than or equal to 0',
          field: "spec.containers[0].resources.requests[memory]",
        },
      ],
    },
    {
      name: "a mount of an undeclared volume",
      spec: { containers: [{ ...C, volumeMounts: [{ name: "data", mountPath: "/data" }] }] },
      causes: [{ reason: "FieldValueNotFound", message: 'Not found: "data"', field: "spec.containers[0].volumeMounts[0].name" }],
    },
    {
      name: "a volume with two sources",
      spec: { containers: [C], volumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }] },
      causes: [{ reason: "FieldValueForbidden", message: "Forbidden: may not specify more than 1 volume type", field: "spec.volumes[0].emptyDir" }],
    },
    {
      name: "an env var with both value and valueFrom",
      spec: { containers: [{ ...C, env: [{ name: "A", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "": may not be specified when `value` is not empty',
          field: "spec.containers[0].env[0].valueFrom",
        },
      ],
    },
    {
      name: "a toleration with an unknown operator and effect",
      spec: { containers: [C], tolerations: [{ key: "k", operator: "Maybe", effect: "Sometimes" }] },
      causes: [
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Maybe": supported values: "Equal", "Exists"',
          field: "spec.tolerations[0].operator",
        },
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
          field: "spec.tolerations[0].effect",
        },
      ],
    },
    {
      name: "a zero activeDeadlineSeconds",
      spec: { containers: [C], activeDeadlineSeconds: 0 },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 0: must be between 1 and 2147483647, inclusive",
          field: "spec.activeDeadlineSeconds",
        },
      ],
    },
  ];

  it.each(cases)("rejects $name with exactly the upstream causes", ({ spec, causes }) => {
    expect(admit(spec).causes).toEqual(causes);
  });

  it("requires a namespace and a valid name", () => {
    const obj = decodeObject({ metadata: { name: "Bad" }, spec: { containers: [C] } }, KIND, { strict: true });
    podStrategy.applyDefaults(obj);
    expect(podStrategy.validate(obj).map((c) => c.field)).toEqual(["metadata.name", "metadata.namespace"]);
  });
});

describe("Pod updates", () => {
  const base = { containers: [C], activeDeadlineSeconds: 100 };

  it("allow image changes, a shorter deadline and added tolerations", () => {
    const next = { containers: [{ ...C, image: "nginx:1.28" }], activeDeadlineSeconds: 50, tolerations: [{ key: "k", operator: "Exists" }] };
    expect(update(base, next)).toEqual([]);
  });

  it("forbid other spec changes, naming the allowed fields", () => {
    const causes = update(base, { ...base, restartPolicy: "Never" });
    expect(causes).toHaveLength(1);
    expect(causes[0]?.field).toBe("spec");
    expect(causes[0]?.reason).toBe("FieldValueForbidden");
    expect(causes[0]?.message).toBe(
      "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n" +
        '- spec.restartPolicy: "Always"\n+ spec.restartPolicy: "Never"',
    );
  });

  it.each([
    [{ containers: [C, { name: "b", image: "x" }], activeDeadlineSeconds: 100 }, "spec.containers", "Forbidden: pod updates may not add or remove containers"],
    [{ containers: [C], activeDeadlineSeconds: 200 }, "spec.activeDeadlineSeconds", "Invalid value: 200: must be less than or equal to previous value"],
    [{ containers: [C] }, "spec.activeDeadlineSeconds", "Invalid value: null: must not update from a positive integer to nil value"],
  ])("reject %j at %s", (next, field, message) => {
    expect(update(base, next).map((c) => ({ field: c.field, message: c.message }))).toEqual([{ field, message }]);
  });

  it("forbid removing a toleration", () => {
    const withTol = { ...base, tolerations: [{ key: "k", operator: "Exists" }] };
    expect(update(withTol, { ...base, tolerations: [] })).toEqual([
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: existing toleration can not be modified except its tolerationSeconds",
        field: "spec.tolerations",
      },
    ]);
  });
});
