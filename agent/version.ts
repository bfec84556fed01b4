/**
 * @module
 * The agent's version: the package version, reported as the Node's
 * kubeletVersion (`duraplane-agent/<version>`).
 */
import { readFileSync } from "node:fs";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** e.g. 0.1.0 */
export const AGENT_VERSION = packageVersion();
/** What the Node reports as nodeInfo.kubeletVersion. */
export const KUBELET_VERSION = `duraplane-agent/${AGENT_VERSION}`;
