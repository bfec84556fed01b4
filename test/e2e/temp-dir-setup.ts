/**
 * Setup file of the node-side vitest configs (e2e, agent): after each test
 * file, the temporary folders it made are removed (temp-dir.ts). Servers are
 * stopped by the files' own afterAll hooks, which run before this one.
 */
import { afterAll } from "vitest";
import { removeAllTempDirs } from "./temp-dir.ts";

afterAll(() => {
  removeAllTempDirs();
});
