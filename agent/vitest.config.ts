import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The host agent's tests run in plain Node. The agent as a whole runs against
// the real control plane (a local server, agent/test-support/control-plane.ts);
// the watch and report clients' own tests answer them with tiny local servers
// that misbehave on purpose (dropped streams, 410, slow webhooks).
export default defineConfig({
  // The repository root, so the patterns hold whatever the working directory.
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    // bench/ holds pure helpers (the CPU profile analysis) whose tests run here too, and so
    // does the admin CLI (cli/), plain Node as well.
    include: ["agent/**/*.test.ts", "bench/**/*.test.ts", "cli/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/e2e/temp-dir-setup.ts"],
    pool: "forks",
    testTimeout: 20_000,
    // A file that starts a control plane needs longer than a test to do it.
    hookTimeout: 180_000,
  },
});
