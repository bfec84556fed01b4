/**
 * Which workerd test files need the D1 schema (read by vitest.config.ts, in
 * Node). Applying the migrations to a fresh D1 costs about 3 s per file, which
 * the pure unit tests of shared/ and workers/ (two thirds of the files) do not
 * need. A file needs it when it reaches the runtime's bindings: it imports
 * `cloudflare:test`, or a helper module of test/ that does. Judged from the
 * source text, so a new file is classed the way it is written; one classed
 * wrong fails loudly ("no such table: tokens").
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const CLOUDFLARE_TEST = /from\s+"cloudflare:test"/;

function testFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".test.ts") && !name.split(/[\\/]/).includes("e2e"))
    .map((name) => resolve(join(root, name)));
}

/** Absolute paths of the `*.test.ts` files under `roots` whose source uses the bindings; `helpers` is the folder of shared test modules. */
export function d1TestFiles(roots: readonly string[], helpers = "test"): string[] {
  // test/'s own modules that import cloudflare:test (helpers.ts, do-internals.ts, …), by name without extension.
  const bindingHelpers = readdirSync(helpers)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts"))
    .filter((name) => CLOUDFLARE_TEST.test(readFileSync(join(helpers, name), "utf8")))
    .map((name) => basename(name, ".ts"));
  const viaHelper = new RegExp(`from\\s+"[./]*(?:test/)?(?:${bindingHelpers.join("|")})(?:\\.ts)?"`);
  return roots
    .flatMap(testFiles)
    .filter((file) => {
      const source = readFileSync(file, "utf8");
      return CLOUDFLARE_TEST.test(source) || viaHelper.test(source);
    })
    .sort();
}
