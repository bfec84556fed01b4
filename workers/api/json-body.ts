/**
 * @module
 * Small JSON bodies of the duraplane APIs (host and user APIs): read with a
 * size limit, parsed, checked against a zod schema, with a 400 that names
 * the fields at fault.
 */
import type { z } from "zod";
import { badRequest } from "../../shared/k8s/errors";
import { readBodyText } from "./body";

/** The largest body these APIs accept. */
const MAX_JSON_BODY_BYTES = 64 * 1024;

/** Reads `req`'s body as `schema` (an empty body is `{}`); `what` names the body in messages. */
export async function readJsonBody<S extends z.ZodType>(req: Request, schema: S, what: string): Promise<z.output<S>> {
  const text = await readBodyText(req, MAX_JSON_BODY_BYTES);
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw badRequest(`${what} body is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(`${what} body is malformed: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}
