/**
 * @module
 * Decoding a request body into a kind's object: the zod counterpart of the
 * apiserver's decode step (`handlers/create.go` → `transformDecodeError`,
 * strict field validation of KEP-2885) followed by schema validation. Bodies
 * are parsed JSON; nulls count as unset, unknown fields are dropped, or
 * rejected with `fieldValidation=Strict`.
 */
import type { z } from "zod";
import { badRequest, invalid } from "../k8s/errors";
import { isJsonObject, type KubeObject } from "../k8s/object";
import { issuesToCauses, jsonTypeName } from "./decode-issues";
import { stripNulls, unknownFieldPaths } from "./schema-walk";

/** The parts of a `ResourceKind` decoding needs. */
export interface DecodableKind {
  schema: z.ZodType;
  kind: string;
  group: string;
  /** Used to fill a missing `apiVersion`; optional so callers can pass less than a ResourceKind. */
  version?: string;
}

/** Options for {@link decodeObject}. */
export interface DecodeOptions {
  /** `fieldValidation=Strict`: unknown fields are a 400 instead of being dropped. */
  strict: boolean;
  /** Name for error messages when the body has none (e.g. the URL's name). */
  name?: string;
  /** `fieldValidation=Warn`: unknown fields are appended here as upstream's warning texts. */
  warnings?: string[];
}

/** True for kinds served as custom resources (KubeVirt), whose errors use the CRD validator's wording. */
export function isCustomResourceGroup(group: string): boolean {
  return group.includes(".") && !group.endsWith(".k8s.io");
}

function versionOf(apiVersion: unknown): string {
  if (typeof apiVersion !== "string") return "";
  const slash = apiVersion.indexOf("/");
  return slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
}

/**
 * Decodes `input` (parsed JSON) into a `kind` object with unknown fields
 * stripped. Fills a missing `kind`/`apiVersion` from the kind.
 * @throws ApiError 400 if the body is not a JSON object, or (strict) has
 *   unknown fields: `Pod in version "v1" cannot be handled as a Pod: strict
 *   decoding error: unknown field "spec.foo"`.
 * @throws ApiError 422 with one cause per bad field for schema violations.
 */
export function decodeObject(input: unknown, kind: DecodableKind, opts: DecodeOptions): KubeObject {
  if (!isJsonObject(input)) {
    const what = jsonTypeName(input);
    throw badRequest(
      `the object provided is unrecognized (must be of type ${kind.kind}): ` +
        `json: cannot unmarshal ${what} into Go value of type map[string]interface {}`,
    );
  }
  const body: Record<string, unknown> = { ...input };
  // A missing ObjectMeta is Go's zero value, so metadata validation words the error.
  if (!isJsonObject(body["metadata"])) body["metadata"] = body["metadata"] ?? {};
  if (body["kind"] === undefined || body["kind"] === null || body["kind"] === "") body["kind"] = kind.kind;
  if ((body["apiVersion"] === undefined || body["apiVersion"] === null || body["apiVersion"] === "") && kind.version) {
    body["apiVersion"] = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  }
  const stripped = stripNulls(kind.schema, body);

  const unknown = unknownFieldPaths(kind.schema, stripped).map((p) => `unknown field "${p}"`);
  if (unknown.length > 0) {
    if (opts.strict) {
      const version = versionOf(body["apiVersion"]) || kind.version || "";
      throw badRequest(
        `${kind.kind} in version "${version}" cannot be handled as a ${kind.kind}: strict decoding error: ${unknown.join(", ")}`,
      );
    }
    opts.warnings?.push(...unknown);
  }

  const result = kind.schema.safeParse(stripped, { reportInput: true });
  if (!result.success) {
    const meta = isJsonObject(stripped) ? stripped["metadata"] : undefined;
    const metaName = isJsonObject(meta) && typeof meta["name"] === "string" ? meta["name"] : "";
    const causes = issuesToCauses(kind.schema, result.error.issues, isCustomResourceGroup(kind.group));
    throw invalid(kind.kind, opts.name ?? metaName, causes, kind.group);
  }
  if (!isJsonObject(result.data)) throw badRequest(`the object provided is unrecognized (must be of type ${kind.kind})`);
  return result.data as unknown as KubeObject;
}

/** Paths of the fields `kind`'s schema would drop from `input`, e.g. for server-side apply's wording. */
export function unknownFields(input: unknown, kind: Pick<DecodableKind, "schema">): string[] {
  return unknownFieldPaths(kind.schema, stripNulls(kind.schema, input));
}
