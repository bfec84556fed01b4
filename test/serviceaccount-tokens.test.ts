/**
 * TokenRequest (`serviceaccounts/{name}/token`) and the JWT authenticator:
 * durations (default, minimum, cap), audiences, bound pods, 404s, kubectl's
 * protobuf body; tokens authenticate as the ServiceAccount (whoami with uid
 * and extra) and stop working when forged, expired, for another audience, or
 * once the ServiceAccount or the bound pod is gone (within about a second).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bytesFromBase64, bytesFromRawBase64Url } from "../shared/k8s/base64";
import type { KubeObject } from "../shared/k8s/object";
import { issueToken } from "../workers/serviceaccounts/issue-token";
import { api, ensureToken, namespace, pod, readResponse, send, TOKEN, type ApiResponse, type StatusBody } from "./helpers";

interface TokenRequestBody {
  metadata: { name: string; uid?: string };
  spec: { audiences: string[]; expirationSeconds: number };
  status: { token: string; expirationTimestamp: string };
}

interface Review {
  status: { userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> } };
}

const ISSUER = "https://kubernetes.default.svc.cluster.local";

async function account(ns: string, name: string): Promise<KubeObject> {
  const res = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } });
  expect(res.status).toBe(201);
  return res.body;
}

function requestToken(ns: string, name: string, spec: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return api<TokenRequestBody & StatusBody>("POST", `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec }, headers);
}

async function token(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<string> {
  const res = await requestToken(ns, name, spec);
  expect(res.status).toBe(201);
  return res.body.status.token;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(bytesFromRawBase64Url(jwt.split(".")[1] ?? ""))) as Record<string, unknown>;
}

async function as<T = Record<string, unknown>>(bearer: string, method: string, path: string, source = ""): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };
  if (source) headers["cf-connecting-ip"] = source;
  const init: RequestInit = { method, headers };
  if (method === "POST") init.body = JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
  return readResponse<T>(await send(new Request(`https://duraplane.test${path}`, init)));
}

const whoami = (bearer: string, source = "") => as<Review>(bearer, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", source);

/** Polls until a request with `bearer` is refused, which must happen within `ms`. */
async function refusedWithin(bearer: string, ms: number): Promise<number> {
  const start = Date.now();
  while ((await whoami(bearer)).status !== 401) {
    if (Date.now() - start > ms) throw new Error(`token still accepted after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

describe("TokenRequest", () => {
  it("answers 201 with a one-hour token for the server's audience by default", async () => {
    const ns = await namespace("tok");
    const sa = await account(ns, "ci");
    const res = await requestToken(ns, "ci");
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", spec: { audiences: [ISSUER], expirationSeconds: 3600 } });
    const claims = claimsOf(res.body.status.token);
    expect(claims).toMatchObject({
      iss: ISSUER, aud: [ISSUER], sub: `system:serviceaccount:${ns}:ci`,
      "kubernetes.io": { namespace: ns, serviceaccount: { name: "ci", uid: sa.metadata.uid } },
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(claims.nbf).toBe(claims.iat);
    expect(typeof claims.jti).toBe("string");
    expect(Date.parse(res.body.status.expirationTimestamp)).toBe(Number(claims.exp) * 1000);
  });

  it("honours expirationSeconds (kubectl --duration)", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const claims = claimsOf(await token(ns, "ci", { expirationSeconds: 7200 }));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(7200);
  });

  it("refuses less than 10 minutes with upstream's 422", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const res = await requestToken(ns, "ci", { expirationSeconds: 599 });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    );
    expect((await requestToken(ns, "ci", { expirationSeconds: 600 })).status).toBe(201);
  });

  it("shortens a duration over the maximum (48 h) with a warning", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const res = await requestToken(ns, "ci", { expirationSeconds: 10 * 24 * 3600 });
    expect(res.status).toBe(201);
    expect(res.body.spec.expirationSeconds).toBe(172800);
    expect(res.headers.get("warning")).toBe('299 - "requested expiration of 864000 seconds shortened to 172800 seconds"');
    const claims = claimsOf(res.body.status.token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(172800);
  });

  it("answers 404 for a ServiceAccount that does not exist", async () => {
    const ns = await namespace("tok");
    const res = await requestToken(ns, "nope");
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('serviceaccounts "nope" not found');
  });

  it("refuses a body naming another ServiceAccount (422) and another kind (400), and other verbs (405)", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const other = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/serviceaccounts/ci/token`,
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata: { name: "x" }, spec: {} });
    expect(other.status).toBe(422);
    expect(other.body.message).toContain("must match the service account name if specified");
    const kind = await api<StatusBody>("POST", `/api/v1/namespaces/${ns}/serviceaccounts/ci/token`, { apiVersion: "v1", kind: "Pod" });
    expect(kind.status).toBe(400);
    expect((await api("GET", `/api/v1/namespaces/${ns}/serviceaccounts/ci/token`)).status).toBe(405);
    expect((await api("POST", `/api/v1/namespaces/${ns}/serviceaccounts/ci/token`, "not json")).status).toBe(400);
  });

  it("accepts kubectl create token's protobuf body", async () => {
    await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } });
    await api("POST", "/api/v1/namespaces/a/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "ci" } });
    await ensureToken();
    const res = await readResponse<TokenRequestBody>(await send(new Request("https://duraplane.test/api/v1/namespaces/a/serviceaccounts/ci/token", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/vnd.kubernetes.protobuf" },
      body: bytesFromBase64("azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIdChAKABIAGgAiACoAMgA4AEIAEgMgkBwaBAoAEgAaACIA"),
    })));
    expect(res.status).toBe(201);
    expect(res.body.spec.expirationSeconds).toBe(3600);
    expect((await whoami(res.body.status.token)).body.status.userInfo.username).toBe("system:serviceaccount:a:ci");
  });

  describe("bound to a pod", () => {
    it("carries the pod in the token and in the user's extra", async () => {
      const ns = await namespace("tok");
      await account(ns, "ci");
      const p = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("p1", { spec: { serviceAccountName: "ci", containers: [{ name: "c", image: "nginx" }] } }));
      expect(p.status).toBe(201);
      const jwt = await token(ns, "ci", { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p1", uid: p.body.metadata.uid } });
      expect(claimsOf(jwt)["kubernetes.io"]).toMatchObject({ pod: { name: "p1", uid: p.body.metadata.uid } });
      const me = await whoami(jwt);
      expect(me.status).toBe(201);
      expect(me.body.status.userInfo.extra).toMatchObject({
        "authentication.kubernetes.io/pod-name": ["p1"], "authentication.kubernetes.io/pod-uid": [p.body.metadata.uid],
      });
    });

    it("names the pod's node, with the Node's uid, as upstream's ServiceAccountTokenPodNodeInfo", async () => {
      const ns = await namespace("tok");
      await account(ns, "ci");
      const nodeName = `n-${crypto.randomUUID().slice(0, 8)}`;
      const node = await api<KubeObject>("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: nodeName }, spec: {} });
      expect(node.status).toBe(201);
      const p = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`,
        pod("p1", { spec: { serviceAccountName: "ci", nodeName, containers: [{ name: "c", image: "nginx" }] } }));
      expect(p.status).toBe(201);
      const jwt = await token(ns, "ci", { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p1" } });
      expect(claimsOf(jwt)["kubernetes.io"]).toMatchObject({ node: { name: nodeName, uid: node.body.metadata.uid } });
      expect((await whoami(jwt)).body.status.userInfo.extra).toMatchObject({
        "authentication.kubernetes.io/node-name": [nodeName], "authentication.kubernetes.io/node-uid": [node.body.metadata.uid],
      });
      await api("DELETE", `/api/v1/nodes/${nodeName}`);
    });

    it("dies with the pod", async () => {
      const ns = await namespace("tok");
      await account(ns, "ci");
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("p1", { spec: { serviceAccountName: "ci", containers: [{ name: "c", image: "nginx" }] } }));
      const jwt = await token(ns, "ci", { boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p1" } });
      expect((await whoami(jwt)).status).toBe(201);
      expect((await api("DELETE", `/api/v1/namespaces/${ns}/pods/p1`)).status).toBe(200);
      expect(await refusedWithin(jwt, 3000)).toBeLessThan(3000);
      // A new pod of the same name is another pod: the token stays dead.
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("p1", { spec: { serviceAccountName: "ci", containers: [{ name: "c", image: "nginx" }] } }));
      await new Promise((r) => setTimeout(r, 1100));
      expect((await whoami(jwt)).status).toBe(401);
    });

    it("refuses a pod running as another ServiceAccount (400), a missing pod (404), a stale uid (409), other kinds (400)", async () => {
      const ns = await namespace("tok");
      await account(ns, "ci");
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("other"));
      const ref = (name: string, extra: Record<string, string> = {}) => ({ boundObjectRef: { kind: "Pod", apiVersion: "v1", name, ...extra } });
      const wrong = await requestToken(ns, "ci", ref("other"));
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toBe('cannot bind token for serviceaccount "ci" to pod running with different serviceaccount name.');
      const missing = await requestToken(ns, "ci", ref("gone"));
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('pods "gone" not found');
      await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("mine", { spec: { serviceAccountName: "ci", containers: [{ name: "c", image: "nginx" }] } }));
      const stale = await requestToken(ns, "ci", ref("mine", { uid: "not-the-uid" }));
      expect(stale.status).toBe(409);
      const cm = await requestToken(ns, "ci", { boundObjectRef: { kind: "ConfigMap", apiVersion: "v1", name: "x" } });
      expect(cm.status).toBe(400);
      expect(cm.body.message).toBe("cannot bind token to object of type /v1, Kind=ConfigMap");
    });
  });
});

describe("ServiceAccount tokens authenticate", () => {
  it("as the ServiceAccount: whoami shows username, uid, groups and the credential id", async () => {
    const ns = await namespace("tok");
    const sa = await account(ns, "ci");
    const jwt = await token(ns, "ci");
    const me = await whoami(jwt);
    expect(me.status).toBe(201);
    expect(me.body.status.userInfo).toEqual({
      username: `system:serviceaccount:${ns}:ci`,
      uid: sa.metadata.uid,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${String(claimsOf(jwt).jti)}`] },
    });
    // Authenticated is not authorized: RBAC decides, by the account's name or its groups.
    expect((await as(jwt, "GET", `/api/v1/namespaces/${ns}/pods`)).status).toBe(403);
    await api("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "sa-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "Group", name: `system:serviceaccounts:${ns}` }],
    });
    expect((await as(jwt, "GET", `/api/v1/namespaces/${ns}/pods`)).status).toBe(200);
  });

  it("not when the signature or the payload is tampered with", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const jwt = await token(ns, "ci");
    const [h, p, s = ""] = jwt.split(".");
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
    expect((await whoami(flipped)).status).toBe(401);
    const claims = claimsOf(jwt);
    const forged = btoa(JSON.stringify({ ...claims, sub: "system:serviceaccount:kube-system:default" })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect((await whoami(`${h}.${forged}.${s}`)).status).toBe(401);
    const none = btoa(JSON.stringify({ alg: "none", kid: "x" })).replace(/=+$/, "");
    expect((await whoami(`${none}.${p}.${s}`)).status).toBe(401);
    expect((await whoami(jwt)).status).toBe(201);
  });

  it("not for another audience", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const jwt = await token(ns, "ci", { audiences: ["https://vault.example"] });
    expect(claimsOf(jwt).aud).toEqual(["https://vault.example"]);
    expect((await whoami(jwt)).status).toBe(401);
  });

  it("not once expired (beyond the one-minute leeway)", async () => {
    const ns = await namespace("tok");
    const sa = await account(ns, "ci");
    const { token: old } = await issueToken(env, { serviceAccount: sa, audiences: [ISSUER], expirationSeconds: 600 }, Date.now() - 662_000);
    expect((await whoami(old)).status).toBe(401);
    const { token: fresh } = await issueToken(env, { serviceAccount: sa, audiences: [ISSUER], expirationSeconds: 600 }, Date.now() - 530_000);
    expect((await whoami(fresh)).status).toBe(201);
  });

  it("not once the ServiceAccount is deleted (within about a second)", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const jwt = await token(ns, "ci");
    expect((await whoami(jwt)).status).toBe(201);
    expect((await api("DELETE", `/api/v1/namespaces/${ns}/serviceaccounts/ci`)).status).toBe(200);
    expect(await refusedWithin(jwt, 2000)).toBeLessThan(2000);
    const refused = await as<StatusBody>(jwt, "GET", `/api/v1/namespaces/${ns}/pods`);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
  });

  it("not after the ServiceAccount is re-created with the same name; the new one's tokens work", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const old = await token(ns, "ci");
    expect((await whoami(old)).status).toBe(201);
    await api("DELETE", `/api/v1/namespaces/${ns}/serviceaccounts/ci`);
    const again = await account(ns, "ci");
    await new Promise((r) => setTimeout(r, 1100));
    expect((await whoami(old)).status).toBe(401);
    const fresh = await token(ns, "ci");
    const me = await whoami(fresh);
    expect(me.status).toBe(201);
    expect(me.body.status.userInfo.uid).toBe(again.metadata.uid);
  });

  it("counts refused tokens against the source's failure limit (429 after 20)", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const jwt = await token(ns, "ci", { audiences: ["elsewhere"] });
    const source = `203.0.113.${Math.floor(Math.random() * 200)}`;
    for (let i = 0; i < 20; i++) expect((await whoami(jwt, source)).status).toBe(401);
    expect((await whoami(jwt, source)).status).toBe(429);
  });

  it("keeps verifying without D1 once the keys are cached", async () => {
    const ns = await namespace("tok");
    await account(ns, "ci");
    const jwt = await token(ns, "ci");
    expect((await whoami(jwt)).status).toBe(201);
    const rows = await env.DB.prepare("SELECT * FROM service_account_keys").all();
    await env.DB.prepare("DELETE FROM service_account_keys").run();
    try {
      await new Promise((r) => setTimeout(r, 1100));
      expect((await whoami(jwt)).status).toBe(201);
      expect((await whoami(await token(ns, "ci"))).status).toBe(201);
    } finally {
      for (const r of rows.results) {
        await env.DB.prepare("INSERT INTO service_account_keys (id, algorithm, public_key, private_key, created_at, active) VALUES (?, ?, ?, ?, ?, ?)")
          .bind(r.id, r.algorithm, r.public_key, r.private_key, r.created_at, r.active).run();
      }
    }
  });
});
