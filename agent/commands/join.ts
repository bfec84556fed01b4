/**
 * @module
 * `duraplane-agent join`: exchanges a join token for this host's credentials
 * (POST {HOSTS_API_PREFIX}/join) and keeps them in <state>/credentials.json.
 * Idempotent: with credentials already there it does nothing, since the
 * server hands out credentials once per node. Safe to retry: every attempt
 * carries the same request id, so an answer lost to a dropped connection or
 * a restarting server is handed out again, not refused as a spent token.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { HOSTS_API_PREFIX, WEBHOOK_PREFIX } from "../../shared/hosts/constants.ts";
import { JOIN_TOKEN_PATTERN, type JoinRequest } from "../../shared/hosts/join.ts";
import { type Credentials, credentialsPath, readCredentials, writeCredentials } from "../config.ts";
import { hostCapacity } from "../heartbeat.ts";
import { describeError, HttpClient, parseJson } from "../http.ts";
import { readKubeconfig } from "../kubeconfig.ts";
import { isRecord, str } from "../objects.ts";
import { isLoopback, labelsFlag, UsageError } from "./flags.ts";

/** Usage of this command. */
export const JOIN_USAGE = `duraplane-agent join --server URL --join-token TOKEN --name NODE [--state DIR]
    [--cpu 8] [--memory 32Gi] [--pods 110] [--label key=value ...] [--[no-]insecure-skip-tls-verify]
  Joins this host as Node NODE and writes DIR/credentials.json (DIR defaults to
  .duraplane/agents/NODE). Does nothing if DIR already holds credentials.
  --kubeconfig PATH may stand in for --server. TLS verification is skipped by
  default only for a loopback server (the local dev server's self-signed certificate).`;

/** How long `join` keeps trying through connection errors and 429/502/503/504 answers. */
export const JOIN_RETRY_DEADLINE_MS = 120_000;

/** The default state folder of a node. */
export function defaultStateDir(nodeName: string): string {
  return join(".duraplane", "agents", nodeName);
}

/** Runs `join`; resolves with the exit code. */
export async function joinCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, allowNegative: true,
    options: {
      server: { type: "string" }, kubeconfig: { type: "string" }, "join-token": { type: "string" }, name: { type: "string" },
      state: { type: "string" }, cpu: { type: "string" }, memory: { type: "string" }, pods: { type: "string" },
      label: { type: "string", multiple: true }, "insecure-skip-tls-verify": { type: "boolean" },
    },
  });
  const nodeName = values.name;
  const joinToken = values["join-token"];
  if (!nodeName || !joinToken) throw new UsageError(JOIN_USAGE);
  if (!JOIN_TOKEN_PATTERN.test(joinToken)) throw new UsageError("--join-token must look like abcdef.0123456789abcdef (from `duraplane-agent token create`)");
  const kubeconfig = values.kubeconfig ? readKubeconfig(values.kubeconfig) : undefined;
  const server = values.server ?? kubeconfig?.server;
  if (!server) throw new UsageError(JOIN_USAGE);
  const state = values.state ?? defaultStateDir(nodeName);

  const existing = readCredentials(state);
  if (existing) {
    if (existing.nodeName !== nodeName) {
      process.stderr.write(`${credentialsPath(state)} holds the credentials of node "${existing.nodeName}", not "${nodeName}"\n`);
      return 1;
    }
    process.stdout.write(`already joined as node ${nodeName} (${credentialsPath(state)}); nothing to do\n`);
    return 0;
  }

  const capacity = { ...hostCapacity(), ...(values.cpu ? { cpu: values.cpu } : {}), ...(values.memory ? { memory: values.memory } : {}), ...(values.pods ? { pods: values.pods } : {}) };
  const labels = labelsFlag(values.label);
  const insecureSkipTLSVerify = values["insecure-skip-tls-verify"] ?? kubeconfig?.insecureSkipTLSVerify ?? isLoopback(server);
  // One request id for every attempt of this join: a retry after a lost
  // answer is recognised by the server and answered with the same credentials.
  const request: JoinRequest = { nodeName, labels, capacity, requestId: randomBytes(24).toString("base64url") };
  // The join token is the credential here; no other bearer token is involved.
  const http = new HttpClient({ server, insecureSkipTLSVerify });
  try {
    const res = await http.requestWithRetry("POST", `${HOSTS_API_PREFIX}/join`, {
      body: JSON.stringify(request), headers: { authorization: `Bearer ${joinToken}` },
    }, {
      deadlineMs: JOIN_RETRY_DEADLINE_MS,
      onRetry: (why, delayMs) => process.stderr.write(`joining as node ${nodeName}: ${why}; trying again in ${delayMs} ms\n`),
    });
    if (res.status !== 201 && res.status !== 200) {
      process.stderr.write(`joining as node ${nodeName} failed: ${describeError(res)}\n`);
      return 1;
    }
    const body = parseJson(res.text);
    const token = isRecord(body) ? str(body.token) : undefined;
    const signingSecret = isRecord(body) ? str(body.signingSecret) : undefined;
    if (!isRecord(body) || !token || !signingSecret) throw new Error("the join answer carries no token or signing secret");
    const credentials: Credentials = {
      server, nodeName: str(body.nodeName) ?? nodeName, token, signingSecrets: [signingSecret],
      webhookPath: str(body.webhookPath) ?? `${WEBHOOK_PREFIX}/${nodeName}/reports`,
      insecureSkipTLSVerify, labels, capacity, joinedAt: new Date().toISOString(),
    };
    writeCredentials(state, credentials);
    process.stdout.write(`joined as node ${credentials.nodeName}; credentials in ${credentialsPath(state)}\n`);
    return 0;
  } finally {
    http.close();
  }
}
