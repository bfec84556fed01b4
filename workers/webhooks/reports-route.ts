/**
 * @module
 * `POST /webhooks/v1/nodes/{node}/reports`: a host's signed report. In order:
 * size (413), signature and freshness (400/401), replay (the first answer
 * again), body (400), then the heartbeat and every item, each answered on its
 * own. The call is authenticated by its signature, not a bearer token.
 */
import { Hono } from "hono";
import { z } from "zod";
import { MAX_REPORT_BYTES } from "../../shared/hosts/constants";
import { HostReportSchema, type HostReportResult } from "../../shared/hosts/report";
import { badRequest, conflict } from "../../shared/k8s/errors";
import { jsonTextTooDeep, nestedTooDeeply } from "../../shared/k8s/limits";
import { readBodyText } from "../api/body";
import { json } from "../api/respond";
import { auditNotesOf } from "../audit/audit-middleware";
import { nodeUser } from "../hosts/node-credentials";
import { foldItems } from "./fold-items";
import { foldHeartbeat } from "./fold-node";
import { claimReceipt, completeReceipt, pruneReceipts, releaseReceipt } from "./receipts";
import { verifyWebhook } from "./verify";
import { reportMetrics } from "../metrics/webhook-metrics";
import { recordUsage } from "../resource-metrics/usage-store";

/** One call in this many prunes old receipts (cheap, and keeps the table small without a cron). */
const PRUNE_EVERY = 50;

function parseReport(text: string): z.output<typeof HostReportSchema> {
  // Free-form members (conditions, guestOSInfo) end up in stored status: refuse deep nesting here.
  if (jsonTextTooDeep(text)) throw nestedTooDeeply("report body");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw badRequest(`report body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = HostReportSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw badRequest(`report body is malformed: ${first}`);
  }
  return parsed.data;
}

/** The route, mounted on the app before bearer authentication. */
export const reports = new Hono<{ Bindings: Env }>();

reports.use("/webhooks/v1/nodes/:node/reports", reportMetrics);
reports.post("/webhooks/v1/nodes/:node/reports", async (c) => {
  const node = c.req.param("node");
  // Audited as the node it claims to be, also when the signature then fails.
  const notes = auditNotesOf(c.req.raw);
  if (notes) notes.user = nodeUser(node);
  const body = await readBodyText(c.req.raw, MAX_REPORT_BYTES);
  const id = await verifyWebhook(c.env, node, c.req.raw.headers, body);
  const report = parseReport(body);
  const claim = await claimReceipt(c.env, node, id);
  if (claim.state === "done") {
    return json({ ...(JSON.parse(claim.response) as HostReportResult), replayed: true }, 200);
  }
  if (claim.state === "busy") {
    throw conflict({ group: "hosts.duraplane.io", resource: "reports" }, id, `webhook-id "${id}" is being applied by another request; retry later`);
  }
  try {
    const result: HostReportResult = { kind: "HostReportResult", apiVersion: "hosts.duraplane.io/v1", replayed: false, items: [] };
    if (report.node) result.node = await foldHeartbeat(c.env, node, report.node);
    result.items = await foldItems(c.env, node, report.items);
    // Usage (kubectl top) is kept in memory elsewhere and never delays this answer.
    if (report.usage) c.executionCtx.waitUntil(recordUsage(c.env, node, report.usage));
    await completeReceipt(c.env, node, id, JSON.stringify(result));
    if (Math.random() * PRUNE_EVERY < 1) c.executionCtx.waitUntil(pruneReceipts(c.env));
    return json(result, 200);
  } catch (err) {
    // Nothing was acknowledged: let the agent's retry of this id apply it.
    await releaseReceipt(c.env, node, id);
    throw err;
  }
});
