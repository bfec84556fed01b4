/**
 * @module
 * Rotating the node's webhook signing secret: one exchange with the host
 * API (POST {HOSTS_API_PREFIX}/nodes/{name}/rotate with the node's own
 * token), the new secret put first in the credentials file and the previous
 * one kept, which the server accepts until previousValidUntil. A running
 * agent's SecretsSource sees the file change at its next report. The
 * `SecretRotator` does this on a schedule (`run --rotate-secret-every-ms`),
 * as the kubelet rotates its credentials without an operator.
 */
import { HOSTS_API_PREFIX } from "../shared/hosts/constants.ts";
import { credentialsPath, readCredentials, writeCredentials } from "./config.ts";
import { describeError, HttpClient, parseJson } from "./http.ts";
import type { Logger } from "./log.ts";
import { errorMessage } from "./log.ts";
import { isRecord, str } from "./objects.ts";

/** What one rotation came to. */
export type RotationResult = { ok: true; nodeName: string; previousValidUntil?: string } | { ok: false; error: string };

/** Rotates the signing secret of the node whose credentials live in `state`. */
export async function rotateSigningSecret(state: string): Promise<RotationResult> {
  const creds = readCredentials(state);
  if (!creds) return { ok: false, error: `no credentials in ${credentialsPath(state)}: join first` };
  const http = new HttpClient({ server: creds.server, token: creds.token, insecureSkipTLSVerify: creds.insecureSkipTLSVerify });
  try {
    // A repeated rotation is harmless: the server keeps only the newest secret and the one before it, as this file does.
    const res = await http.requestWithRetry("POST", `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(creds.nodeName)}/rotate`, { body: "{}" }, { deadlineMs: 60_000 });
    const body = parseJson(res.text);
    const secret = isRecord(body) ? str(body.signingSecret) : undefined;
    if (res.status !== 200 || !secret) return { ok: false, error: describeError(res) };
    // Only the newest and the previous secret can be valid at once.
    writeCredentials(state, { ...creds, signingSecrets: [secret, ...creds.signingSecrets.filter((s) => s !== secret)].slice(0, 2) });
    const until = isRecord(body) ? str(body.previousValidUntil) : undefined;
    return { ok: true, nodeName: creds.nodeName, ...(until ? { previousValidUntil: until } : {}) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  } finally {
    http.close();
  }
}

/** Schedule of a rotator. */
export interface RotatorOptions {
  /** Rotate this often (ms). */
  everyMs: number;
  /** After a failed rotation, try again this soon (ms). */
  retryMs: number;
  rotate(): Promise<RotationResult>;
  log: Logger;
}

/** Rotates the signing secret every `everyMs`, retrying failures sooner; never overlapping. */
export class SecretRotator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: RotatorOptions) {}

  start(): void {
    this.schedule(this.options.everyMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const result = await this.options.rotate();
    if (result.ok) {
      this.options.log.info("rotated the webhook signing secret", { previousValidUntil: result.previousValidUntil ?? "" });
      this.schedule(this.options.everyMs);
    } else {
      this.options.log.warn("rotating the webhook signing secret failed, retrying", { error: result.error, retryInMs: this.options.retryMs });
      this.schedule(this.options.retryMs);
    }
  }
}
