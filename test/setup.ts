import { beforeAll, inject } from "vitest";

// Every file runs on a fresh D1; the schema goes only where a test reaches the
// bindings (test/d1-test-files.ts). Imported only then: `cloudflare:test` loads
// the whole Worker, and with the migrations that costs seconds a file.
beforeAll(async ({}, suite) => {
  if (!inject("d1TestFiles").includes(suite.file.filepath)) return;
  const { applyD1Migrations, env } = await import("cloudflare:test");
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute paths of the test files given the D1 schema (vitest.config.ts). */
    d1TestFiles: string[];
  }
}
