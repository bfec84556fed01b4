/**
 * Temporary folders that tests make (server state, manifests, kubectl's
 * cache) are removed after each test file (temp-dir-setup.ts) and, failing
 * that, when the process exits: a suite run 40 times must not leave 40 of
 * each in /tmp.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = new Set<string>();

/** A new folder under the system's temp dir, removed at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes a folder made by {@link tempDir} now. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

/** Removes every folder made here so far (each test file's afterAll, through temp-dir-setup.ts). */
export function removeAllTempDirs(): void {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a process still writing into it (a server being killed) or already gone
    }
    made.delete(dir);
  }
}

// A fallback for a process that ends before its afterAll ran (vitest's workers are often ended
// without an exit event, which is why the setup file's afterAll is the main path).
process.on("exit", removeAllTempDirs);
