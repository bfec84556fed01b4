/**
 * Builds the dashboard (ui/) into ui/dist/ui/, the folder wrangler's
 * `[assets]` serves at /ui/ beside the API. Hash routes, so every page is
 * ui/index.html; xterm.js, noVNC and the YAML editor are separate chunks
 * loaded only when a page needs them.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/ui/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("./dist/ui", import.meta.url)),
    emptyOutDir: true,
    // noVNC's modules use top-level await.
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
});
