import type { TestProject } from "vitest/node";
import { type LocalServer, startServer, stopServer } from "./server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    server: { url: string; port: number; state: string; kubeconfig: string; token: string };
  }
}

let server: LocalServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startServer();
  const { url, port, state, kubeconfig, token } = server;
  project.provide("server", { url, port, state, kubeconfig, token });
}

export async function teardown(): Promise<void> {
  if (server) await stopServer(server);
}
