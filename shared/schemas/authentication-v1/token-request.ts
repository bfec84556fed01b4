/**
 * @module
 * `authentication.k8s.io/v1` TokenRequest, the body of
 * `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`, with
 * upstream's defaulting (SetDefaults_TokenRequestSpec: one hour) and
 * `ValidateTokenRequest` (at least 10 minutes, at most 2^32 seconds).
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/apis/authentication/validation/validation.go
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import { invalidValue } from "../../k8s/validation";
import { TimeSchema, typeAndObjectMeta } from "../meta";

/** Component-name prefix of authentication/v1 types in kube-apiserver's OpenAPI. */
const AUTHENTICATION_V1 = "io.k8s.api.authentication.v1";

/** The group of TokenRequest. */
export const AUTHENTICATION_GROUP = "authentication.k8s.io";

/** `authentication/v1.BoundObjectReference`. */
export const BoundObjectReferenceSchema = z
  .object({
    kind: z.string().optional().describe("Kind of the referent. Valid kinds are 'Pod' and 'Secret'."),
    apiVersion: z.string().optional().describe("API version of the referent."),
    name: z.string().optional().describe("Name of the referent."),
    uid: z.string().optional().describe("UID of the referent."),
  })
  .meta({ id: `${AUTHENTICATION_V1}.BoundObjectReference`, description: "A reference to an object that a token is bound to." });

/** `authentication.k8s.io/v1` TokenRequest. */
export const TokenRequestSchema = z
  .object({
    ...typeAndObjectMeta("TokenRequest"),
    spec: z
      .object({
        audiences: z.array(z.string()).optional().describe("The intended audiences of the token; the server's when empty."),
        expirationSeconds: z.number().int().optional().describe("The requested duration of validity of the token, in seconds."),
        boundObjectRef: BoundObjectReferenceSchema.optional().describe(
          "An object the token is bound to: the token is valid only while that object exists.",
        ),
      })
      .optional()
      .describe("What the client asks for."),
    status: z
      .object({
        token: z.string().optional().describe("The opaque bearer token."),
        expirationTimestamp: TimeSchema.optional().describe("When the returned token expires."),
      })
      .optional()
      .describe("The issued token; set by the server."),
  })
  .meta({
    id: `${AUTHENTICATION_V1}.TokenRequest`,
    description: "TokenRequest requests a token for a given service account.",
    "x-kubernetes-group-version-kind": [{ group: AUTHENTICATION_GROUP, version: "v1", kind: "TokenRequest" }],
  });

/** An authentication.k8s.io/v1 TokenRequest. */
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

/** SetDefaults_TokenRequestSpec: a token lives one hour unless asked otherwise. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
/** `MinTokenAgeSec`: no token lives less than 10 minutes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

/** `ValidateTokenRequest` on the defaulted spec. */
export function validateTokenRequest(expirationSeconds: number): StatusCause[] {
  const causes: StatusCause[] = [];
  if (expirationSeconds < MIN_TOKEN_EXPIRATION_SECONDS) {
    causes.push(invalidValue("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes"));
  }
  if (expirationSeconds > MAX_TOKEN_EXPIRATION_SECONDS) {
    causes.push(invalidValue("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
  }
  return causes;
}
