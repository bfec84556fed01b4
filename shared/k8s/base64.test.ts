import { describe, expect, it } from "vitest";
import { base64FromBytes, bytesFromBase64, bytesFromRawBase64Url } from "./base64";

describe("base64", () => {
  it("round-trips bytes, and reads unpadded base64url", () => {
    const bytes = new Uint8Array([0, 1, 250, 251, 252, 253, 254, 255]);
    expect(base64FromBytes(bytes)).toBe("AAH6+/z9/v8=");
    expect(bytesFromBase64("AAH6+/z9/v8=")).toEqual(bytes);
    expect(bytesFromRawBase64Url("AAH6-_z9_v8")).toEqual(bytes);
  });

  it("throws on what is not its encoding", () => {
    expect(() => bytesFromBase64("not base64!")).toThrow();
    expect(() => bytesFromRawBase64Url("AAH6+/z9/v8")).toThrow();
    expect(() => bytesFromRawBase64Url("AAH6-_z9_v8=")).toThrow();
  });
});
