/**
 * @module
 * Defaulting of PodSpec and its containers, as `pkg/apis/core/v1/defaults.go`
 * (SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe, volume
 * sources…). Pod-only defaults (SetDefaults_Pod and the admission plugins
 * that fill priority, tolerations and the service account) live in pod.ts.
 */
import type { Container } from "./container";
import type { PodSpec } from "./pod-spec";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The tag `parsers.ParseImageName` reports: explicit tag, else "" when a
 * digest pins the image, else "latest". A registry port (`host:5000/x`) is not a tag.
 */
export function imageTag(image: string): string {
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  if (colon > lastSlash) return name.slice(colon + 1);
  return at >= 0 ? "" : "latest";
}

/** SetDefaults_Container's pull policy: Always for `:latest` or untagged images, else IfNotPresent. */
export function defaultPullPolicy(image: string | undefined): "Always" | "IfNotPresent" {
  // An unparseable (empty) image falls through to IfNotPresent, as upstream ignores the parse error.
  if (!image) return "IfNotPresent";
  return imageTag(image) === "latest" ? "Always" : "IfNotPresent";
}

/** SetDefaults_HTTPGetAction: path `/`, scheme HTTP. */
function defaultHttpGet(handler: Obj): void {
  const get = handler["httpGet"];
  if (!isObj(get)) return;
  if (get["path"] === undefined || get["path"] === "") get["path"] = "/";
  if (get["scheme"] === undefined || get["scheme"] === "") get["scheme"] = "HTTP";
}

/** SetDefaults_Probe: timeout 1 s, period 10 s, success 1, failure 3 (for unset or zero values). */
export function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  const fill = (key: string, value: number): void => {
    const v = probe[key];
    if (v === undefined || v === 0) probe[key] = value;
  };
  fill("timeoutSeconds", 1);
  fill("periodSeconds", 10);
  fill("successThreshold", 1);
  fill("failureThreshold", 3);
  defaultHttpGet(probe);
}

/** SetDefaults_Container plus the defaulters of the types a container embeds. */
export function defaultContainer(c: Container, hostNetwork: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = "/dev/termination-log";
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = "File";
  // ResourceRequirements is a struct, not a pointer, upstream: it always serialises, as `{}` when empty.
  if (!c.resources) c.resources = {};
  for (const port of c.ports ?? []) {
    if (!port.protocol) port.protocol = "TCP";
    // With host networking the container port is the host port (defaultHostNetworkPorts).
    if (hostNetwork && port.hostPort === undefined) port.hostPort = port.containerPort;
  }
  for (const env of c.env ?? []) {
    const fieldRef = env.valueFrom?.fieldRef;
    if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = "v1";
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  for (const hook of ["postStart", "preStop"]) {
    const handler = c.lifecycle?.[hook];
    if (isObj(handler)) defaultHttpGet(handler);
  }
}

const DEFAULT_MODE_SOURCES = ["secret", "configMap", "downwardAPI", "projected"] as const;

/** SetDefaults_Volume (no source → emptyDir) and the sources' own defaulters. */
function defaultVolumes(spec: PodSpec): void {
  for (const vol of spec.volumes ?? []) {
    const v = vol as Obj;
    const hasSource = Object.keys(v).some((k) => k !== "name" && v[k] !== undefined);
    if (!hasSource) vol.emptyDir = {};
    for (const key of DEFAULT_MODE_SOURCES) {
      const src = vol[key];
      // 0644: the file mode upstream gives projected files unless told otherwise.
      if (src && src["defaultMode"] === undefined) src["defaultMode"] = 420;
    }
    if (vol.hostPath && vol.hostPath["type"] === undefined) vol.hostPath["type"] = "";
  }
}

/** SetDefaults_PodSpec and everything below it; shared by pods and pod templates. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = "default-scheduler";
  // The v1 conversion keeps the deprecated alias and the real field in step.
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers) defaultContainer(c, hostNetwork);
  defaultVolumes(spec);
}
