/**
 * The replica controllers bench/converge.ts drives — ReplicaSet → Pods,
 * Deployment → ReplicaSet → Pods and VirtualMachineInstanceReplicaSet → VMIs
 * — as REST paths and bodies:
 * the owner, the child it stamps from its template (so the floor creates the
 * very object the controller would), and the status patch a kubelet or
 * virt-handler would send to make a child ready.
 */

/** One owner kind and its children, as the bench needs them. */
export interface Workload {
  /** Short label for tables. */
  kind: string;
  /** Collection path of the owner in a namespace. */
  ownerPath(ns: string): string;
  /** The owner with `spec.replicas: 0`, selecting `app=<label>`. */
  ownerBody(name: string): string;
  /** Collection path of the children in a namespace. */
  childPath(ns: string): string;
  /** A child as the owner's template makes it (generateName, labels), for the floor's direct creates. */
  childBody(): string;
  /** The merge patch that marks a child Running and Ready, sent to its /status. */
  readyPatch: string;
}

/** The label value both owner selectors match; one value per kind keeps the namespaces' lists apart anyway. */
const APP = "converge";

const POD_TEMPLATE = {
  metadata: { labels: { app: APP, "app.kubernetes.io/part-of": "bench" } },
  spec: {
    containers: [{
      name: "web",
      image: "nginx:1.27",
      ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
      resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    }],
    restartPolicy: "Always",
  },
};

const VMI_TEMPLATE = {
  metadata: { labels: { app: APP, "app.kubernetes.io/part-of": "bench" } },
  spec: {
    domain: { devices: {}, resources: { requests: { memory: "64Mi" } } },
  },
};

// What kubelet (pods) and virt-handler (VMIs) would report once the workload runs.
const READY = JSON.stringify({ status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } });

/** ReplicaSet (apps/v1) owning Pods. */
export const replicaSetWorkload: Workload = {
  kind: "ReplicaSet",
  ownerPath: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  ownerBody: (name) => JSON.stringify({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: { replicas: 0, selector: { matchLabels: { app: APP } }, template: POD_TEMPLATE },
  }),
  childPath: (ns) => `/api/v1/namespaces/${ns}/pods`,
  // The controller names its children `<owner>-<suffix>`; `floor-` is the same shape.
  childBody: () => JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { generateName: "floor-", ...POD_TEMPLATE.metadata },
    spec: POD_TEMPLATE.spec,
  }),
  readyPatch: READY,
};

/**
 * Deployment (apps/v1) owning a ReplicaSet owning Pods: the same pods as the
 * ReplicaSet's, so the ReplicaSet's floor is its floor too; one more
 * controller hop. `rolloutPatch` changes its template for the rollout phase.
 */
export const deploymentWorkload: Workload & { rolloutPatch: string } = {
  kind: "Deployment",
  ownerPath: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  ownerBody: (name) => JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { replicas: 0, selector: { matchLabels: { app: APP } }, template: POD_TEMPLATE },
  }),
  childPath: replicaSetWorkload.childPath,
  childBody: replicaSetWorkload.childBody,
  readyPatch: READY,
  // What `kubectl set image deployment/converge web=nginx:1.28` sends.
  // (a merge patch replaces the list, so the whole container is sent).
  rolloutPatch: JSON.stringify({ spec: { template: { spec: { containers: [{ ...POD_TEMPLATE.spec.containers[0], image: "nginx:1.28" }] } } } }),
};

/** VirtualMachineInstanceReplicaSet (kubevirt.io/v1) owning VMIs. */
export const vmirsWorkload: Workload = {
  kind: "VMIRS",
  ownerPath: (ns) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancereplicasets`,
  ownerBody: (name) => JSON.stringify({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceReplicaSet",
    metadata: { name },
    spec: { replicas: 0, selector: { matchLabels: { app: APP } }, template: VMI_TEMPLATE },
  }),
  childPath: (ns) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`,
  childBody: () => JSON.stringify({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { generateName: "floor-", ...VMI_TEMPLATE.metadata },
    spec: VMI_TEMPLATE.spec,
  }),
  readyPatch: READY,
};

/** Every workload, in table order. */
export const WORKLOADS: readonly Workload[] = [replicaSetWorkload, deploymentWorkload, vmirsWorkload];
