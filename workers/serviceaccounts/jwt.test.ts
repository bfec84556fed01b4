import { describe, expect, it } from "vitest";
import { ES256, looksLikeJwt, parseJwt, signJwt, verifyJwtSignature } from "./jwt";

describe("jwt", () => {
  it("tells JWTs from static tokens (random base64url or hex, which keep going to D1)", async () => {
    const pair = (await crypto.subtle.generateKey(ES256, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwt = await signJwt({ sub: "x" }, pair.privateKey, "k1");
    expect(looksLikeJwt(jwt)).toBe(true);
    expect(looksLikeJwt("dGhpcyBpcyBub3QgYSBqd3Q_aGVsbG8td29ybGQtMTIzNDU2Nzg5")).toBe(false);
    expect(looksLikeJwt("0123456789abcdef0123456789abcdef")).toBe(false);
    expect(looksLikeJwt("abc.def.ghi")).toBe(false); // three segments, but no JSON header with alg
    expect(looksLikeJwt(`${jwt}.`)).toBe(false);
  });

  it("signs and verifies ES256, and refuses tampering, other keys and other algorithms", async () => {
    const pair = (await crypto.subtle.generateKey(ES256, true, ["sign", "verify"])) as CryptoKeyPair;
    const other = (await crypto.subtle.generateKey(ES256, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwt = await signJwt({ sub: "x", n: 1 }, pair.privateKey, "k1");
    const parsed = parseJwt(jwt);
    expect(parsed?.header).toEqual({ alg: "ES256", kid: "k1" });
    expect(parsed?.payload).toEqual({ sub: "x", n: 1 });
    if (!parsed) throw new Error("not parsed");
    expect(await verifyJwtSignature(parsed, pair.publicKey)).toBe(true);
    expect(await verifyJwtSignature(parsed, other.publicKey)).toBe(false);
    expect(await verifyJwtSignature({ ...parsed, header: { alg: "none", kid: "k1" } }, pair.publicKey)).toBe(false);
    expect(await verifyJwtSignature({ ...parsed, payload: { sub: "y" }, signingInput: new TextEncoder().encode("x.y") }, pair.publicKey)).toBe(false);
    expect(parseJwt("a.b")).toBeUndefined();
    expect(parseJwt("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln")).toBeUndefined();
  });
});
