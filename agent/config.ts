/**
 * @module
 * The agent's credentials file, `<state>/credentials.json` (mode 0600): the
 * server, the node name, the node-bound API token and the webhook signing
 * secrets, newest first. Every secret signs each report, so a rotation never
 * loses a report while the server still accepts the previous secret.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What `join` writes and `run` reads. */
export const CredentialsSchema = z.object({
  server: z.string().url(),
  nodeName: z.string().min(1),
  token: z.string().min(1),
  /** Newest first; all of them sign every report. */
  signingSecrets: z.array(z.string().min(1)).min(1),
  webhookPath: z.string().startsWith("/"),
  insecureSkipTLSVerify: z.boolean().default(false),
  labels: z.record(z.string(), z.string()).default({}),
  capacity: z.record(z.string(), z.string()).default({}),
  joinedAt: z.string().optional(),
});
export type Credentials = z.infer<typeof CredentialsSchema>;

/** The file name inside the state folder. */
export const CREDENTIALS_FILE = "credentials.json";

/** Where the credentials of `stateDir` live. */
export function credentialsPath(stateDir: string): string {
  return join(stateDir, CREDENTIALS_FILE);
}

/** Reads and checks the credentials; undefined when the file does not exist. */
export function readCredentials(stateDir: string): Credentials | undefined {
  const file = credentialsPath(stateDir);
  if (!existsSync(file)) return undefined;
  const parsed = CredentialsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a credentials file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** Writes the credentials atomically (write, then rename), readable by the owner only. */
export function writeCredentials(stateDir: string, credentials: Credentials): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = credentialsPath(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
  // The mode of a file that already existed is kept by rename's target only on some systems: set it.
  chmodSync(file, 0o600);
}

/**
 * The signing secrets of a credentials file, read again whenever the file
 * changes, so `duraplane-agent rotate` applies to a running agent.
 */
export class SecretsSource {
  private mtimeMs = -1;
  private secrets: readonly string[];

  constructor(private readonly stateDir: string, initial: readonly string[]) {
    this.secrets = initial;
  }

  current(): readonly string[] {
    try {
      const { mtimeMs } = statSync(credentialsPath(this.stateDir));
      if (mtimeMs !== this.mtimeMs) {
        const creds = readCredentials(this.stateDir);
        if (creds) this.secrets = creds.signingSecrets;
        this.mtimeMs = mtimeMs;
      }
    } catch {
      // Keep signing with what we have: a half-edited file must not stop reports.
    }
    return this.secrets;
  }
}
