/**
 * Builds the dashboard (ui/, served at /ui by wrangler's `[assets]`) and
 * checks its bundle budget. `npm start`, the workerd test config and
 * `npm run build:check` need ui/dist to exist (wrangler refuses an assets
 * folder that is missing), so each calls `ensureUiBuilt`, which builds only
 * when the sources changed since the last build.
 *
 * Usage: tsx scripts/build-ui.ts [--if-stale]
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const UI = join(ROOT, "ui");
/** What wrangler.toml's `[assets] directory` names; the app itself is under its ui/ so that it is served at /ui/. */
export const ASSETS_DIR = join(UI, "dist");
const APP_DIR = join(ASSETS_DIR, "ui");
const STAMP = join(ASSETS_DIR, ".build-stamp");

/**
 * The bundle budget: what the first page load fetches (the entry chunk and the
 * chunks it imports statically, gzip). The consoles (xterm.js, noVNC) and the
 * YAML editor are lazy chunks outside it.
 */
export const BUDGET = { initialJsGzipBytes: 60 * 1024, cssGzipBytes: 16 * 1024 };

function sourcesHash(): string {
  const hash = createHash("sha256");
  const inputs = [join(UI, "src"), join(UI, "index.html"), join(UI, "vite.config.ts"), join(ROOT, "package-lock.json")];
  for (const input of inputs) {
    const files = statSync(input).isDirectory()
      ? readdirSync(input, { recursive: true, encoding: "utf8" }).map((f) => join(input, f)).filter((f) => statSync(f).isFile()).sort()
      : [input];
    for (const f of files) hash.update(f.slice(ROOT.length)).update("\0").update(readFileSync(f)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Sizes of the built bundle, gzip, in bytes. */
export interface BundleSizes { initialJs: number; css: number; lazyJs: Record<string, number> }

/** Measures the build in ui/dist: the JS index.html loads up front (its script and modulepreloads), the CSS, and each lazy chunk. */
export function measureBundle(): BundleSizes {
  const html = readFileSync(join(APP_DIR, "index.html"), "utf8");
  const initial = new Set([...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? ""));
  const gz = (file: string): number => gzipSync(readFileSync(join(APP_DIR, file))).length;
  const assets = readdirSync(join(APP_DIR, "assets"));
  let initialJs = 0;
  let css = 0;
  const lazyJs: Record<string, number> = {};
  for (const name of assets) {
    const file = `assets/${name}`;
    if (name.endsWith(".css")) css += gz(file);
    else if (name.endsWith(".js")) {
      if (initial.has(file)) initialJs += gz(file);
      else lazyJs[name] = gz(file);
    }
  }
  return { initialJs, css, lazyJs };
}

/** Throws when the build is over its budget. */
export function checkBudget(sizes: BundleSizes): void {
  const over: string[] = [];
  if (sizes.initialJs > BUDGET.initialJsGzipBytes) over.push(`initial JS ${sizes.initialJs} B gzip > ${BUDGET.initialJsGzipBytes} B`);
  if (sizes.css > BUDGET.cssGzipBytes) over.push(`CSS ${sizes.css} B gzip > ${BUDGET.cssGzipBytes} B`);
  if (over.length > 0) throw new Error(`the dashboard is over its bundle budget: ${over.join("; ")}`);
}

/** Builds ui/ into ui/dist with vite, checks the budget and returns the sizes. */
export async function buildUi(): Promise<BundleSizes> {
  const { build } = await import("vite");
  const hash = sourcesHash();
  await build({ configFile: join(UI, "vite.config.ts"), logLevel: "warn" });
  // Not served: the stamp only tells a later ensureUiBuilt the build is current.
  writeFileSync(join(ASSETS_DIR, ".assetsignore"), ".build-stamp\n.assetsignore\n");
  const sizes = measureBundle();
  checkBudget(sizes);
  writeFileSync(STAMP, hash);
  return sizes;
}

/** Builds the dashboard unless ui/dist already holds a build of the current sources. */
export async function ensureUiBuilt(): Promise<void> {
  if (existsSync(STAMP) && existsSync(join(APP_DIR, "index.html")) && readFileSync(STAMP, "utf8") === sourcesHash()) return;
  await buildUi();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale")) {
    await ensureUiBuilt();
  } else {
    const sizes = await buildUi();
    const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`ui/dist: initial JS ${kb(sizes.initialJs)} gzip (budget ${kb(BUDGET.initialJsGzipBytes)}), CSS ${kb(sizes.css)} gzip`);
    for (const [name, size] of Object.entries(sizes.lazyJs)) console.log(`  lazy ${name}: ${kb(size)} gzip`);
  }
}
