import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The host agent's tests run in plain Node: tiny local http servers stand in
// for the watch stream and the webhook receiver.
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
  },
});
