// Worker secrets are not in wrangler.toml, so `wrangler types` does not see
// them: declared here. Set with `wrangler secret put SECRETS_KEY` when
// deploying; `npm start` generates one per state folder.
declare namespace Cloudflare {
  interface Env {
    /** base64 of 32 random bytes: the AES-GCM key that encrypts webhook signing secrets in D1. */
    SECRETS_KEY?: string;
  }
}
