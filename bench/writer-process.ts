/**
 * The watch bench's writer, run in a child process (bench/watch-writer.ts)
 * so its acknowledgement times are not held back behind the bench's own
 * event loop reading a thousand watch streams: this is the parent's handle
 * and the messages both sides exchange.
 */
import { type ChildProcess, fork } from "node:child_process";

/** Parent → writer: connect and warm up (uncounted creates), then wait for `go`. */
export interface WriterStart {
  type: "start";
  base: string;
  token: string;
  namespace: string;
  /** Pod names are `<prefix>w-<i>` (warm-up) and `<prefix>m-<i>` (measured). */
  prefix: string;
  warmup: number;
  writes: number;
}

/** Parent → writer: run the measured writes now. */
export interface WriterGo {
  type: "go";
}

/** One measured write as the writer saw it (times on the shared monotonic clock, ns). */
export interface WriteRecord {
  rv: number;
  /** The create was handed to the agent: where delivery latency is timed from. */
  startNs: bigint;
  /** The last byte of its answer arrived: the end of the write latency. */
  ackNs: bigint;
}

/** Writer → parent. */
export type WriterMessage =
  | { type: "ready" }
  | { type: "done"; writes: WriteRecord[] }
  | { type: "failed"; message: string };

/** A writer process that has warmed up and waits for `run()`. */
export interface Writer {
  /** Runs the measured writes; resolves with one record per write, in order. */
  run(): Promise<WriteRecord[]>;
  /** Kills the process if it is still running. */
  kill(): void;
}

const CHILD = new URL("./watch-writer.ts", import.meta.url);

/** Forks a writer and resolves once its warm-up writes are done. */
export async function startWriter(start: Omit<WriterStart, "type">): Promise<Writer> {
  // "advanced" serialisation carries the bigint times; execArgv is inherited,
  // so the child loads TypeScript through tsx as this process does.
  const child: ChildProcess = fork(CHILD, [], { serialization: "advanced", stdio: "inherit" });
  const next = (): Promise<WriterMessage> =>
    new Promise((done, fail) => {
      const onMessage = (m: unknown): void => {
        cleanup();
        done(m as WriterMessage);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        fail(new Error(`the writer process exited with ${code}`));
      };
      const cleanup = (): void => {
        child.off("message", onMessage);
        child.off("exit", onExit);
      };
      child.on("message", onMessage);
      child.on("exit", onExit);
    });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const ready = next();
  child.send({ type: "start", ...start } satisfies WriterStart);
  const first = await ready.catch((err: unknown) => {
    kill();
    throw err;
  });
  if (first.type !== "ready") {
    kill();
    throw new Error(first.type === "failed" ? first.message : `writer: unexpected ${first.type}`);
  }
  return {
    kill,
    async run() {
      const result = next();
      child.send({ type: "go" } satisfies WriterGo);
      try {
        const m = await result;
        if (m.type === "done") return m.writes;
        throw new Error(m.type === "failed" ? m.message : `writer: unexpected ${m.type}`);
      } finally {
        kill();
      }
    },
  };
}
