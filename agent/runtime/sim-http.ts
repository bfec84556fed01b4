/**
 * @module
 * The HTTP server every simulated pod runs on every port: it answers any
 * request with the pod and port it reached, so a port-forward can be seen
 * to arrive at the right place. One loopback listener serves all pods; each
 * forwarded connection is told apart by its client port.
 */
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { WorkloadRef } from "./streams.ts";

/** The simulated pods' web server. */
export class SimulatedHttp {
  private server?: Promise<{ server: Server; port: number }>;
  private readonly targets = new Map<number, { pod: WorkloadRef; port: number }>();

  /** A connection to `port` of `pod`. */
  async connect(pod: WorkloadRef, port: number): Promise<Socket> {
    const { port: local } = await this.listening();
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: local });
      socket.once("connect", () => {
        const from = socket.localPort;
        if (from !== undefined) {
          this.targets.set(from, { pod, port });
          socket.once("close", () => this.targets.delete(from));
        }
        resolve(socket);
      });
      socket.once("error", reject);
    });
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const s = await this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.server.close(() => r()));
  }

  private listening(): Promise<{ server: Server; port: number }> {
    this.server ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        const target = this.targets.get(req.socket.remotePort ?? 0);
        const where = target ? `${target.pod.namespace}/${target.pod.name} port ${target.port}` : "an unknown pod";
        req.resume();
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end(`hello from ${where}: ${req.method ?? "GET"} ${req.url ?? "/"}\n`);
      });
      server.keepAliveTimeout = 1000;
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        resolve({ server, port: typeof address === "object" && address ? address.port : 0 });
      });
      server.unref();
    });
    return this.server;
  }
}
