import { defineConfig } from "vitest/config";

// End-to-end tests run in Node against a real local server started the way
// `npm start` starts it, driven by the real /usr/bin/kubectl.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    setupFiles: ["test/e2e/temp-dir-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: "forks",
  },
});
