/**
 * @module
 * A stand-in for the parts of the control plane an agent talks to, for the
 * agent's own tests while the real ones are being built: one collection of
 * pods and one of VMIs with list + chunked watch (selectors as the agent
 * uses them), and a webhook receiver that checks signatures and records
 * reports. It applies nothing to the objects: tests change them directly.
 */
import type { ServerResponse } from "node:http";
import { HostReportSchema, type ReportItem } from "../../shared/hosts/report.ts";
import { verifySignature } from "../../shared/hosts/signature.ts";
import { type Received, sendJson, startServer, type TestServer } from "./http-server.ts";

type Obj = { metadata: { name: string; namespace: string; uid: string; resourceVersion?: string; labels?: Record<string, string> }; spec: Record<string, unknown>; status?: Record<string, unknown> };

/** A fake control plane for one node. */
export interface FakeControlPlane {
  url: string;
  server: TestServer;
  reports: { items: ReportItem[]; node?: unknown; verified: boolean; id: string; authorization?: string }[];
  put(kind: "pods" | "vmis", obj: Obj): void;
  remove(kind: "pods" | "vmis", uid: string): void;
  close(): Promise<void>;
}

const PATHS = { pods: "/api/v1/pods", vmis: "/apis/kubevirt.io/v1/virtualmachineinstances" } as const;

/** Starts the fake, accepting reports signed with `secrets` and API calls carrying `token`. */
export async function startFakeControlPlane(node: string, token: string, secrets: readonly string[]): Promise<FakeControlPlane> {
  let rv = 100;
  const store = { pods: new Map<string, Obj>(), vmis: new Map<string, Obj>() };
  const watchers = { pods: new Set<ServerResponse>(), vmis: new Set<ServerResponse>() };
  const reports: FakeControlPlane["reports"] = [];
  const bound = (kind: "pods" | "vmis", o: Obj) =>
    kind === "pods" ? o.spec.nodeName === node : o.metadata.labels?.["kubevirt.io/nodeName"] === node;
  const emit = (kind: "pods" | "vmis", type: string, o: Obj) => {
    for (const w of watchers[kind]) w.write(`${JSON.stringify({ type, object: o })}\n`);
  };

  const collection = (kind: "pods" | "vmis", req: Received, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) return sendJson(res, 401, { kind: "Status", code: 401, message: "Unauthorized" });
    const items = [...store[kind].values()].filter((o) => bound(kind, o));
    if (req.url.searchParams.get("watch") !== "true") {
      return sendJson(res, 200, { metadata: { resourceVersion: String(rv) }, items });
    }
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    watchers[kind].add(res);
    res.on("close", () => watchers[kind].delete(res));
  };

  const webhook = async (req: Received, res: ServerResponse) => {
    const id = String(req.headers["webhook-id"]);
    const verified = await verifySignature(secrets, id, String(req.headers["webhook-timestamp"]), req.body, String(req.headers["webhook-signature"] ?? ""));
    if (!verified) return sendJson(res, 401, { kind: "Status", code: 401, message: "bad signature" });
    // The real webhook's schema: a body it would refuse fails the test run here too.
    const parsed = HostReportSchema.safeParse(JSON.parse(req.body));
    if (!parsed.success) return sendJson(res, 400, { kind: "Status", code: 400, message: parsed.error.message });
    const body = parsed.data;
    reports.push({ ...body, verified, id, authorization: req.headers.authorization });
    sendJson(res, 200, {
      kind: "HostReportResult", apiVersion: "hosts.duraplane.io/v1", replayed: false, ...(body.node ? { node: { result: "Applied", code: 200 } } : {}),
      items: body.items.map((i) => ({ kind: i.kind, namespace: i.namespace, name: i.name, result: "Applied", code: 200 })),
    });
  };

  const server = await startServer(async (req, res) => {
    const path = req.url.pathname;
    if (req.method === "GET" && path === PATHS.pods) return collection("pods", req, res);
    if (req.method === "GET" && path === PATHS.vmis) return collection("vmis", req, res);
    if (req.method === "POST" && path === `/webhooks/v1/nodes/${node}/reports`) return webhook(req, res);
    sendJson(res, 404, { kind: "Status", code: 404, message: `no route ${req.method} ${path}` });
  });

  return {
    url: server.url, server, reports,
    put(kind, obj) {
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      const type = store[kind].has(o.metadata.uid) ? "MODIFIED" : "ADDED";
      store[kind].set(o.metadata.uid, o);
      emit(kind, type, o);
    },
    remove(kind, uid) {
      const o = store[kind].get(uid);
      if (!o) return;
      store[kind].delete(uid);
      emit(kind, "DELETED", { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } });
    },
    async close() {
      for (const set of Object.values(watchers)) for (const w of set) w.end();
      await server.close();
    },
  };
}
