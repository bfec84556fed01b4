import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode";

// Bodies captured from the real kubectl v1.32.4 (`-v=9` hex dumps of
// POST /apis/apps/v1/namespaces/x/deployments, Content-Type: application/vnd.kubernetes.protobuf).
/** `kubectl create deployment web --image=nginx:1.27 -n x` */
const CAPTURED_WEB = `
6b 38 73 00 0a 15 0a 07 61 70 70 73 2f 76 31 12 0a 44 65 70 6c 6f 79 6d 65 6e 74 12 b1 01 0a 20
0a 03 77 65 62 12 00 1a 01 78 22 00 2a 00 32 00 38 00 42 00 5a 0a 0a 03 61 70 70 12 03 77 65 62
12 7f 08 01 12 0c 0a 0a 0a 03 61 70 70 12 03 77 65 62 1a 65 0a 1c 0a 00 12 00 1a 00 22 00 2a 00
32 00 38 00 42 00 5a 0a 0a 03 61 70 70 12 03 77 65 62 12 45 12 27 0a 05 6e 67 69 6e 78 12 0a 6e
67 69 6e 78 3a 31 2e 32 37 2a 00 42 00 6a 00 72 00 80 01 00 88 01 00 90 01 00 a2 01 00 1a 00 32
00 42 00 4a 00 52 00 58 00 60 00 68 00 82 01 00 8a 01 00 9a 01 00 c2 01 00 22 02 0a 00 28 00 38
00 1a 0c 08 00 10 00 18 00 20 00 28 00 38 00 1a 00 22 00`;
/** `kubectl create deployment api --image=registry.io/team/api:v2 --replicas=3 --port=8080 -n x -- sleep 3600` */
const CAPTURED_API = `
6b 38 73 00 0a 15 0a 07 61 70 70 73 2f 76 31 12 0a 44 65 70 6c 6f 79 6d 65 6e 74 12 d8 01 0a 20
0a 03 61 70 69 12 00 1a 01 78 22 00 2a 00 32 00 38 00 42 00 5a 0a 0a 03 61 70 70 12 03 61 70 69
12 a5 01 08 03 12 0c 0a 0a 0a 03 61 70 70 12 03 61 70 69 1a 8a 01 0a 1c 0a 00 12 00 1a 00 22 00
2a 00 32 00 38 00 42 00 5a 0a 0a 03 61 70 70 12 03 61 70 69 12 6a 12 4c 0a 03 61 70 69 12 17 72
65 67 69 73 74 72 79 2e 69 6f 2f 74 65 61 6d 2f 61 70 69 3a 76 32 1a 05 73 6c 65 65 70 1a 04 33
36 30 30 2a 00 32 0b 0a 00 10 00 18 90 3f 22 00 2a 00 42 00 6a 00 72 00 80 01 00 88 01 00 90 01
00 a2 01 00 1a 00 32 00 42 00 4a 00 52 00 58 00 60 00 68 00 82 01 00 8a 01 00 9a 01 00 c2 01 00
22 02 0a 00 28 00 38 00 1a 0c 08 00 10 00 18 00 20 00 28 00 38 00 1a 00 22 00`;

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/), (b) => parseInt(b, 16));
}

describe("protobuf Deployment", () => {
  it("decodes kubectl create deployment's body as the same request's JSON", () => {
    expect(decodeKubernetesProtobuf(fromHex(CAPTURED_WEB))).toEqual({
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name: "web", namespace: "x", labels: { app: "web" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] } },
        strategy: {},
      },
      status: {},
    });
  });

  it("decodes replicas, a port and a command", () => {
    expect(decodeKubernetesProtobuf(fromHex(CAPTURED_API))).toMatchObject({
      spec: {
        replicas: 3,
        template: {
          spec: { containers: [{ name: "api", image: "registry.io/team/api:v2", command: ["sleep", "3600"], ports: [{ containerPort: 8080 }] }] },
        },
      },
    });
  });

  it("refuses a pod spec field carrying data it does not decode (415), rather than dropping it", () => {
    const affinity = len(18, len(1, new Uint8Array([0x0a, 0x00]))); // affinity {nodeAffinity {…}}
    const emptyAffinity = len(18, new Uint8Array(0));
    const body = (podSpecExtra: Uint8Array): Uint8Array => envelope(len(2, len(3, len(2, concat(len(2, concat(str(1, "c"), str(2, "i"))), podSpecExtra)))));
    expect(decodeKubernetesProtobuf(body(emptyAffinity))).toMatchObject({ spec: { template: { spec: { containers: [{ name: "c", image: "i" }] } } } });
    expect(() => decodeKubernetesProtobuf(body(affinity))).toThrow(/protobuf field 18 of PodSpec is not decoded by this server; send the object as application\/json/);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function len(field: number, payload: Uint8Array): Uint8Array {
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >> 7)]);
  return Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length), ...payload]);
}

function str(field: number, text: string): Uint8Array {
  return len(field, new TextEncoder().encode(text));
}

/** The `k8s\0` magic and a runtime.Unknown envelope for apps/v1 Deployment around `raw`. */
function envelope(raw: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0x6b, 0x38, 0x73, 0x00]), len(1, concat(str(1, "apps/v1"), str(2, "Deployment"))), len(2, raw));
}
