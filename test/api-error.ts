/** The ApiError `fn` throws; fails the test when it throws nothing or something else. */
import { ApiError } from "../shared/k8s/errors";

export function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}
