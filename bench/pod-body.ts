/**
 * A pod as kubectl would send it for a small web deployment: bench/writes
 * and bench/watch's writer move the same payload (`purpose` tells them apart).
 */
export function podBody(name: string, purpose: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: { app: "web", tier: "frontend", "app.kubernetes.io/part-of": "bench" },
      annotations: { "bench.duraplane.dev/purpose": purpose },
    },
    spec: {
      containers: [{
        name: "web",
        image: "nginx:1.27",
        ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
        env: [{ name: "MODE", value: "bench" }, { name: "LOG_LEVEL", value: "info" }],
        resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
      }],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
    },
  });
}
