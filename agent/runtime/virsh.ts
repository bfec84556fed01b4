/**
 * @module
 * Every libvirt call the VM adapter makes goes through `virsh` as a child
 * process: argument arrays (never a shell, so no VMI string is ever parsed
 * as a command), a timeout per call, and errors that say which call failed
 * and what libvirt answered. Why virsh rather than a library: there is no
 * maintained pure-JS libvirt client, and @unraid/libvirt needs a native
 * build against libvirt's headers; virsh is on every host libvirt is.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";

/** A failed virsh call: the command, its exit code and libvirt's message. */
export class VirshError extends Error {
  override readonly name = "VirshError";
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`virsh ${args.join(" ")} failed (${exitCode === null ? "timed out or killed" : `exit ${exitCode}`}): ${stderr.trim() || "no message"}`);
  }

  /** libvirt's "domain not found" (VIR_ERR_NO_DOMAIN). */
  get noDomain(): boolean {
    return /failed to get domain|Domain not found|no domain with matching/i.test(this.stderr);
  }
}

/** How to reach libvirt. */
export interface VirshOptions {
  /** e.g. `qemu:///system`. */
  uri: string;
  /** The program (tests may point elsewhere); `virsh` on PATH by default. */
  binary?: string;
  /** Per-call timeout; 30 s by default. */
  timeoutMs?: number;
}

/** Runs virsh commands against one libvirt URI. */
export class Virsh {
  readonly binary: string;
  constructor(readonly options: VirshOptions) {
    this.binary = options.binary ?? "virsh";
  }

  /** Runs `virsh -c URI …args` and resolves with its stdout. */
  run(args: readonly string[], timeoutMs = this.options.timeoutMs ?? 30_000): Promise<string> {
    const full = ["-c", this.options.uri, "-q", ...args];
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(this.binary, full, { stdio: ["pipe", "pipe", "pipe"] });
      } catch (err) {
        reject(new VirshError(args, null, err instanceof Error ? err.message : String(err)));
        return;
      }
      child.stdin.end();
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        stderr += `\n(no answer within ${timeoutMs} ms)`;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new VirshError(args, null, `${err.message}${(err as NodeJS.ErrnoException).code === "ENOENT" ? ` (${this.binary} not found: apt-get install libvirt-clients)` : ""}`));
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new VirshError(args, code, stderr));
      });
    });
  }

  /** A long-running virsh (the event loop); the caller owns the process. */
  spawn(args: readonly string[]): ChildProcessWithoutNullStreams {
    return spawn(this.binary, ["-c", this.options.uri, "-q", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  }
}
