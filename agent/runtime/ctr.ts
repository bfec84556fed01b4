/**
 * @module
 * containerd through its own command-line client, `ctr`, which the Debian
 * `containerd` package ships beside the daemon. Every call is one short
 * process (about 30 ms) with a timeout; output is parsed from its table or
 * JSON. Why not gRPC: see agent/README.md ("Why ctr").
 *
 * Everything duraplane runs or imports lives in one containerd namespace,
 * {@link CONTAINERD_NAMESPACE}, so `ctr -n duraplane …` shows all of it and
 * nothing else on the host is touched.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";

/** The one containerd namespace of duraplane's images, containers and tasks. */
export const CONTAINERD_NAMESPACE = "duraplane";

/** containerd's default socket. */
export const DEFAULT_CONTAINERD_ADDRESS = "/run/containerd/containerd.sock";

/** Where to reach containerd. */
export interface CtrOptions {
  /** The socket path (`--containerd-address`). */
  address?: string;
  namespace?: string;
  /** The `ctr` binary. */
  binary?: string;
}

/** A `ctr` call that failed: the exit code and what it printed on stderr. */
export class CtrError extends Error {
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`ctr ${args.slice(0, 3).join(" ")}: ${stderr.trim().replace(/^ctr: /, "") || `exit code ${exitCode}`}`);
    this.name = "CtrError";
  }
}

/** Runs `ctr` against one namespace. */
export class Ctr {
  readonly address: string;
  readonly namespace: string;
  /** The `ctr` binary (for callers that pipe or stream its output themselves). */
  readonly binary: string;

  constructor(options: CtrOptions = {}) {
    this.address = options.address ?? DEFAULT_CONTAINERD_ADDRESS;
    this.namespace = options.namespace ?? CONTAINERD_NAMESPACE;
    this.binary = options.binary ?? "ctr";
  }

  /** Runs `ctr --address A -n NS …args`; resolves with stdout, rejects with a CtrError. */
  run(args: readonly string[], timeoutMs = 30_000): Promise<string> {
    return this.exec(args, timeoutMs).then((r) => {
      if (r.exitCode !== 0) throw new CtrError(args, r.exitCode, r.stderr);
      return r.stdout;
    });
  }

  /** Like `run`, but resolves with the exit code too (`ctr tasks delete` exits with the task's code). */
  exec(args: readonly string[], timeoutMs = 30_000): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ["--address", this.address, "-n", this.namespace, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof err.code === "string") {
          reject(err.code === "ENOENT" ? new Error(`${this.binary} not found: install the Debian package "containerd"`) : err);
          return;
        }
        resolve({ exitCode: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
      });
    });
  }

  /** The daemon's version (`1.6.20~ds1`); rejects when it does not answer. */
  async serverVersion(): Promise<string> {
    const out = await this.run(["version"], 10_000);
    const server = out.split(/^Server:/m)[1] ?? "";
    const version = /Version:\s*(\S+)/.exec(server)?.[1];
    if (!version) throw new Error(`unexpected \`ctr version\` output: ${out.trim()}`);
    return version;
  }
}

/** Why containerd cannot be used here, or undefined when it can (for the CLI's usage errors). */
export async function containerdMissing(options: CtrOptions = {}): Promise<string | undefined> {
  const ctr = new Ctr(options);
  const binary = options.binary ?? "ctr";
  if (!binary.includes("/") && !(process.env.PATH ?? "").split(":").some((dir) => existsSync(`${dir}/${binary}`))) {
    return `${binary} is not installed: install the Debian packages "containerd" and "runc" (scripts/runtimes-up.sh does)`;
  }
  if (!existsSync(ctr.address)) return `no containerd socket at ${ctr.address}: start containerd (scripts/runtimes-up.sh does) or pass --containerd-address`;
  try {
    await ctr.serverVersion();
    return undefined;
  } catch (err) {
    return `containerd at ${ctr.address} does not answer: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Splits `ctr … ls` output into rows of columns (the header dropped). */
export function tableRows(out: string): string[][] {
  return out.split("\n").slice(1).map((l) => l.trim()).filter((l) => l !== "").map((l) => l.split(/\s+/));
}
