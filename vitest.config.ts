import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { execFileSync } from "node:child_process";
import { defineConfig } from "vitest/config";
import { d1TestFiles } from "./test/d1-test-files";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // wrangler.toml's [assets] folder (the dashboard, ui/dist) must exist: build it when its sources changed.
  execFileSync("npx", ["tsx", "scripts/build-ui.ts", "--if-stale"], { stdio: "inherit" });
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // A fixed key for tests only; real ones come from `wrangler secret put` or `npm start`.
          bindings: {
            TEST_MIGRATIONS: migrations, SECRETS_KEY: "dGVzdC1vbmx5LWtleS0tZHVyYXBsYW5lLXRlc3RzMDE=",
            // The adversarial suite's seed and run count (test/adversarial.test.ts); CI leaves them empty.
            FUZZ_SEED: process.env.FUZZ_SEED ?? "", FUZZ_RUNS: process.env.FUZZ_RUNS ?? "", FUZZ_SHRINK: process.env.FUZZ_SHRINK ?? "",
            FUZZ_STATS: process.env.FUZZ_STATS ?? "",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts", "shared/**/*.test.ts", "workers/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      setupFiles: ["./test/setup.ts"],
      provide: { d1TestFiles: d1TestFiles(["test", "shared", "workers"]) },
      // Controller tests wait for queue-driven reconciles; a loaded 2-core machine needs headroom.
      testTimeout: 30_000,
    },
  };
});
