/**
 * @module
 * The keys ServiceAccount tokens are signed with: an ES256 key pair made on
 * the first TokenRequest and kept in D1 (`service_account_keys`, the private
 * half sealed with SECRETS_KEY like the webhook signing secrets). Each
 * isolate loads them once and keeps them: signing reads D1 only the first
 * time, verifying only when a token names a key this isolate has not seen,
 * and then at most once per RELOAD_MS — so a flood of forged `kid`s cannot
 * turn into D1 reads, while a key another isolate just made is found within
 * a second.
 */
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { serviceAccountKeys } from "../../shared/db/schema";
import { open, seal } from "../hosts/secret-box";
import { ES256, JWT_ALGORITHM } from "./jwt";

/** The least time between two loads of the verification keys in one isolate. */
const RELOAD_MS = 1000;

/** The key new tokens are signed with. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

let signing: Promise<SigningKey> | undefined;
const publicKeys = new Map<string, CryptoKey>();
let lastLoad = Number.NEGATIVE_INFINITY;
let loading: Promise<void> | undefined;

function importPublic(jwk: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("jwk", JSON.parse(jwk) as JsonWebKey, ES256, false, ["verify"]);
}

/** Makes the first key pair, unless another isolate got there first (the unique index on `active` decides). */
async function createKey(env: Env): Promise<void> {
  const pair = (await crypto.subtle.generateKey(ES256, true, ["sign", "verify"])) as CryptoKeyPair;
  const id = crypto.randomUUID();
  const publicJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", pair.publicKey));
  const privateJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", pair.privateKey));
  await drizzle(env.DB).insert(serviceAccountKeys).values({
    id, algorithm: JWT_ALGORITHM, publicKey: publicJwk, privateKey: await seal(env, id, privateJwk),
    createdAt: new Date(), active: true,
  }).onConflictDoNothing();
}

async function loadSigningKey(env: Env): Promise<SigningKey> {
  const db = drizzle(env.DB);
  const active = () => db.select().from(serviceAccountKeys).where(eq(serviceAccountKeys.active, true)).get();
  let row = await active();
  if (!row) {
    await createKey(env);
    row = await active();
  }
  if (!row) throw new Error("no active ServiceAccount signing key after creating one");
  const jwk = await open(env, row.id, row.privateKey);
  // A key sealed under another SECRETS_KEY cannot sign: say so rather than issue tokens nobody can trust.
  if (jwk === undefined) throw new Error(`ServiceAccount signing key ${row.id} does not decrypt with the configured SECRETS_KEY`);
  const privateKey = await crypto.subtle.importKey("jwk", JSON.parse(jwk) as JsonWebKey, ES256, false, ["sign"]);
  publicKeys.set(row.id, await importPublic(row.publicKey));
  return { kid: row.id, privateKey };
}

/** The key to sign new tokens with (loaded, or made, once per isolate). */
export function signingKey(env: Env): Promise<SigningKey> {
  signing ??= loadSigningKey(env).catch((err: unknown) => {
    signing = undefined;
    throw err;
  });
  return signing;
}

async function loadPublicKeys(env: Env): Promise<void> {
  const rows = await drizzle(env.DB)
    .select({ id: serviceAccountKeys.id, publicKey: serviceAccountKeys.publicKey })
    .from(serviceAccountKeys).all();
  for (const row of rows) if (!publicKeys.has(row.id)) publicKeys.set(row.id, await importPublic(row.publicKey));
}

/** The public key named `kid`, or undefined when there is none (after at most one reload per RELOAD_MS). */
export async function verificationKey(env: Env, kid: string, now: number): Promise<CryptoKey | undefined> {
  const known = publicKeys.get(kid);
  if (known || now - lastLoad < RELOAD_MS) return known;
  lastLoad = now;
  loading ??= loadPublicKeys(env).finally(() => {
    loading = undefined;
  });
  await loading;
  return publicKeys.get(kid);
}
