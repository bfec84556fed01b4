#!/usr/bin/env node
// The `duraplane` executable: loads the TypeScript CLI through tsx, resolved
// next to this file (not the working directory), so it runs from anywhere.
import { register } from "tsx/esm/api";

register();
await import("../main.ts");
