/**
 * @module
 * The real control plane for the agent's in-process tests: a local server
 * started as `npm start` starts it (test/e2e/server.ts), and hosts joined
 * through the real join exchange by the agent's own CLI, whose credentials
 * an in-process `Agent` then uses. Nothing is faked: the agent watches the
 * real API and its reports go through the real signed webhook.
 */
import { joinHost } from "../../scripts/local-hosts.ts";
import { api } from "../../test/e2e/rest.ts";
import { type LocalServer, startServer, stopServer } from "../../test/e2e/server.ts";
import { type Credentials, readCredentials } from "../config.ts";

/** A running control plane and what a test does with it. */
export interface ControlPlane {
  server: LocalServer;
  /** An admin call; resolves with the status and the parsed body. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: T }>;
  /** Joins a host named `name` (`duraplane-agent join` arguments such as `--cpu 8`) and returns its credentials. */
  join(name: string, joinArgs?: string[]): Promise<Credentials>;
  close(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const server = await startServer({ hosts: 0 });
  return {
    server,
    call: (method, path, body, contentType) => api(server, method, path, body, contentType),
    async join(name, joinArgs = []) {
      const dir = await joinHost(server.url, server.token, server.state, name, joinArgs);
      const credentials = readCredentials(dir);
      if (!credentials) throw new Error(`joining ${name} wrote no credentials in ${dir}`);
      return credentials;
    },
    close: () => stopServer(server),
  };
}
