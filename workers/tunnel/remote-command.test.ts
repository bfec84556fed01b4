import { describe, expect, it } from "vitest";
import { OUTPUT_HOLD_MS, outputHoldMs } from "./remote-command";

describe("outputHoldMs", () => {
  it("holds output for client-go clients that drop it (kubectl before 1.33, other client-go programs)", () => {
    expect(outputHoldMs("kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146")).toBe(OUTPUT_HOLD_MS);
    expect(outputHoldMs("kubectl/v1.29.0+k3s1 (linux/arm64) kubernetes/e4d6c12")).toBe(OUTPUT_HOLD_MS);
    expect(outputHoldMs("my-operator/v0.0.0 (linux/amd64) kubernetes/$Format")).toBe(OUTPUT_HOLD_MS);
  });

  it("sends at once to kubectl 1.33 and later, browsers and other clients", () => {
    expect(outputHoldMs("kubectl/v1.33.0 (linux/amd64) kubernetes/60a317e")).toBe(0);
    expect(outputHoldMs("kubectl/v2.0.1 (darwin/arm64) kubernetes/abcdef0")).toBe(0);
    expect(outputHoldMs("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")).toBe(0);
    expect(outputHoldMs("node")).toBe(0);
    expect(outputHoldMs(undefined)).toBe(0);
  });
});
