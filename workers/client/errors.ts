/**
 * @module
 * What a failed call to another object's store means, by the Status it
 * answered (apimachinery's `errors.IsNotFound`, `IsConflict`, … on the
 * client side), so callers name the case instead of comparing raw codes.
 * Each is a type guard so the Status's message is at hand when it matches;
 * call them on the caught `unknown`, not on an error already narrowed to
 * ApiError (a false answer would then narrow it to `never`).
 */
import { ApiError } from "../../shared/k8s/errors";

function hasCode(err: unknown, code: number): err is ApiError {
  return err instanceof ApiError && err.code === code;
}

/** 404: the object (or its namespace) does not exist. */
export function isNotFound(err: unknown): err is ApiError {
  return hasCode(err, 404);
}

/**
 * 409: the write lost a race — a Conflict (stale resourceVersion or uid
 * precondition) or an AlreadyExists on create; both mean "read again".
 */
export function isConflict(err: unknown): err is ApiError {
  return hasCode(err, 409);
}

/** 409 AlreadyExists: a create found the name taken. */
export function isAlreadyExists(err: unknown): err is ApiError {
  return err instanceof ApiError && err.reason === "AlreadyExists";
}

/** 422: the object is invalid, or a JSON patch `test` operation failed. */
export function isInvalid(err: unknown): err is ApiError {
  return hasCode(err, 422);
}

/** 400: the request itself was malformed. */
export function isBadRequest(err: unknown): err is ApiError {
  return hasCode(err, 400);
}

/** 403: the caller may not do this. */
export function isForbidden(err: unknown): err is ApiError {
  return hasCode(err, 403);
}

/**
 * A write decided on a state that is no longer current: the object went
 * away (404), changed (409), or a guarding `test` failed (422). The next
 * read sees what happened; nothing is wrong with the write itself.
 */
export function isStale(err: unknown): err is ApiError {
  return isNotFound(err) || isConflict(err) || isInvalid(err);
}
