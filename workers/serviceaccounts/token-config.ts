/**
 * @module
 * The token settings of the server, from Worker vars (wrangler.toml):
 * upstream's --service-account-issuer, --api-audiences (defaulting to the
 * issuer, as upstream) and --service-account-max-token-expiration.
 */

/** Upstream's conventional issuer, used when SERVICE_ACCOUNT_ISSUER is empty. */
const DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
/** 48 hours, when SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION_SECONDS is empty or not a positive integer. */
const DEFAULT_MAX_EXPIRATION_SECONDS = 48 * 3600;

/** The `iss` of every token this server issues, and the only one it accepts. */
export function serviceAccountIssuer(env: Env): string {
  return env.SERVICE_ACCOUNT_ISSUER || DEFAULT_ISSUER;
}

/** The audiences this API server identifies as: a token must name one of them. */
export function apiAudiences(env: Env): string[] {
  return [serviceAccountIssuer(env)];
}

/** The longest a TokenRequest may ask for; longer ones are shortened to it. */
export function maxTokenExpirationSeconds(env: Env): number {
  const n = Number(env.SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION_SECONDS);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_EXPIRATION_SECONDS;
}
