/**
 * @module
 * Every error the API returns is a `metav1.Status`. Code anywhere throws
 * {@link ApiError}; the API front renders it. Modelled on Hono's HTTPException
 * and on apimachinery's `k8s.io/apimachinery/pkg/api/errors` constructors.
 */

/** One entry of `Status.details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** `Status.details`. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status as sent on the wire. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** An error that renders as a Kubernetes Status with an HTTP code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The Status body for this error. */
  toStatus(): Status {
    const status: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Identifies the resource an error is about, as apimachinery's GroupResource. */
export interface ResourceRef {
  group: string;
  /** The plural resource name, e.g. "pods". */
  resource: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

/** 400 BadRequest. */
export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError(400, "BadRequest", message, causes ? { causes } : undefined);
}

/** 404 NotFound: `pods "web" not found`. */
export function notFound(ref: ResourceRef, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualified(ref)} "${name}" not found`, {
    name,
    group: ref.group || undefined,
    kind: ref.resource,
  });
}

/** 409 AlreadyExists: `pods "web" already exists`. */
export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualified(ref)} "${name}" already exists`, {
    name,
    group: ref.group || undefined,
    kind: ref.resource,
  });
}

/** 409 Conflict, with upstream's message for a stale resourceVersion unless one is given. */
export function conflict(ref: ResourceRef, name: string, why?: string): ApiError {
  const reason =
    why ?? "the object has been modified; please apply your changes to the latest version and try again";
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${reason}`, {
    name,
    group: ref.group || undefined,
    kind: ref.resource,
  });
}

/** 422 Invalid: `Pod "bad" is invalid: <field>: <message>, …` with one cause per field. */
export function invalid(kind: string, name: string, causes: StatusCause[], group = ""): ApiError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ");
  return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group: group || undefined,
    kind,
    causes,
  });
}

/** 410 Expired (too old resourceVersion or continue token). */
export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", message);
}

/** 413 RequestEntityTooLarge. */
export function requestEntityTooLarge(message: string): ApiError {
  return new ApiError(413, "RequestEntityTooLarge", message);
}

/** 403 Forbidden. */
export function forbidden(message: string): ApiError {
  return new ApiError(403, "Forbidden", message);
}

/** 403 Forbidden about one object: `namespaces "default" is forbidden: <why>` (upstream's NewForbidden). */
export function forbiddenObject(ref: ResourceRef, name: string, why: string): ApiError {
  return new ApiError(403, "Forbidden", `${qualified(ref)} "${name}" is forbidden: ${why}`, {
    name,
    group: ref.group || undefined,
    kind: ref.resource,
  });
}

/** 401 Unauthorized. */
export function unauthorized(message = "Unauthorized"): ApiError {
  return new ApiError(401, "Unauthorized", message);
}

/** 429 TooManyRequests, telling the client when to come back (upstream's NewTooManyRequests). */
export function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(429, "TooManyRequests", `Too many requests: ${message}`, { retryAfterSeconds });
}

/**
 * 504 Timeout: the request may still take effect (a write recorded but not yet
 * committed everywhere). Upstream's message for a 504; the client should read
 * the object again before deciding to retry a non-idempotent write.
 */
export function serverTimeout(retryAfterSeconds: number): ApiError {
  return new ApiError(
    504,
    "Timeout",
    "the server was unable to return a response in the time allotted, but may still be processing the request",
    { retryAfterSeconds },
  );
}

/** 503 ServiceUnavailable: nothing of the request took effect; retry after the given delay. */
export function serviceUnavailable(retryAfterSeconds: number): ApiError {
  return new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request", { retryAfterSeconds });
}

/** 500 InternalError: only for failures that are truly ours. */
export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`);
}
