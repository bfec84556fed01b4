/**
 * @module
 * Name, label and ObjectMeta validation with upstream's messages, as in
 * apimachinery 1.32 `pkg/util/validation/validation.go`,
 * `pkg/api/validation/objectmeta.go` and `pkg/apis/meta/v1/validation`.
 * Results are `StatusCause`s ready for {@link invalid} in errors.ts.
 */
import type { StatusCause } from "./errors";
import { forbidden, invalidValue, required, tooLong } from "./field-errors";
import type { ObjectMeta, OwnerReference } from "./object";

export {
  aggregateErrorString,
  duplicate,
  fieldErrorString,
  forbidden,
  formatBadValue,
  goQuote,
  GoSyntax,
  invalidValue,
  notSupported,
  required,
  tooLong,
} from "./field-errors";
export type { FieldCause, FieldErrorReason } from "./field-errors";

const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX = 63;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX = 253;

/** Whether `c` (a char code) is in [a-z0-9]. */
function isLowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/**
 * Whether `value` matches `^${DNS1123_SUBDOMAIN_FMT}$`: dot-separated RFC 1123
 * labels, each of [-a-z0-9] starting and ending with [a-z0-9]. Scanned by
 * hand because every create checks its name with it, and the CPU profile of
 * pod creates under `wrangler dev` put ~0.18 ms per create in the regular
 * expression's test (bench/README, writes), where this scan takes well
 * under a microsecond.
 */
function matchesDNS1123Subdomain(value: string): boolean {
  let labelStart = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46 /* . */) {
      if (labelStart || !isLowerAlnum(value.charCodeAt(i - 1))) return false;
      labelStart = true;
    } else if (labelStart) {
      if (!isLowerAlnum(c)) return false;
      labelStart = false;
    } else if (c !== 45 /* - */ && !isLowerAlnum(c)) return false;
  }
  return !labelStart && isLowerAlnum(value.charCodeAt(value.length - 1));
}

/** Upstream's `TotalAnnotationSizeLimitB`: keys plus values, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

const utf8 = new TextEncoder();

/** Go's `len(s)`: length in UTF-8 bytes, which is what upstream's limits count. */
export function byteLength(s: string): number {
  return utf8.encode(s).length;
}

/** `validation.MaxLenError`. */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `validation.RegexError`: the message, examples, and the regex in use. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Upstream joins "'a', " items with " or ", hence the double space in "'a',  or 'b'".
  const eg = examples.map((e) => `'${e}', `).join(" or ");
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

/** `validation.IsDNS1123Subdomain`: error strings, empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!matchesDNS1123Subdomain(value)) {
    errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
  }
  return errs;
}

/** `validation.IsDNS1123Label`: error strings, empty when valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1123_LABEL_RE.test(value)) {
    // A valid subdomain of acceptable length that is not a label can only differ by its dots.
    if (matchesDNS1123Subdomain(value)) errs.push("must not contain dots");
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return errs;
}

/** `validation.IsQualifiedName` (label keys, finalizers, annotation keys): `[prefix/]name`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = value;
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => "prefix part " + m));
  } else {
    return [
      "a qualified name " +
        regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc") +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > QUALIFIED_NAME_MAX) errs.push("name part " + maxLenError(QUALIFIED_NAME_MAX));
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
  }
  return errs;
}

/** `validation.IsValidLabelValue`: empty, or a qualified name part of at most 63 characters. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  }
  return errs;
}

/**
 * Upstream's `maskTrailingDash`, kept byte for byte: for a generateName prefix
 * ending in '-' it drops the last *two* characters and appends "a".
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? name.slice(0, -2) + "a" : name;
}

/** `ValidateNameFunc`: validates a name, or a generateName prefix when `prefix` is true. */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

/** `NameIsDNSSubdomain`: the rule for most kinds' names (pods, ReplicaSets, custom resources). */
export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** `NameIsDNSLabel`: the rule for namespaces (and any kind that opts in). */
export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/**
 * `path.IsValidPathSegmentName`: any name that can be one URL path segment
 * (not `.` or `..`, no `/` or `%`). RBAC objects use it for names, since
 * their names (`system:basic-user`) are no DNS subdomains.
 */
export function isValidPathSegmentName(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  return ["/", "%"].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** `ValidateNameFunc` of RBAC kinds (upstream's `ValidateRBACName`): the prefix flag is ignored, as upstream does. */
export const nameIsPathSegment: ValidateNameFunc = (name) => isValidPathSegmentName(name);

/** `v1validation.ValidateLabels`: every error is reported on the map's own path. */
export function validateLabels(labels: Record<string, string> | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) causes.push(invalidValue(fieldPath, k, msg));
    for (const msg of isValidLabelValue(v)) causes.push(invalidValue(fieldPath, v, msg));
  }
  return causes;
}

/** `ValidateAnnotations`: keys are case-insensitive qualified names; keys+values ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) causes.push(invalidValue(fieldPath, k, msg));
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) causes.push(tooLong(fieldPath, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return causes;
}

/** `schema.ParseGroupVersion` as `FromAPIVersionAndKind` uses it: a malformed apiVersion has no version. */
function versionOf(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: apiVersion };
  if (parts.length === 2) return { group: parts[0] ?? "", version: parts[1] ?? "" };
  return { group: "", version: "" };
}

/** `ValidateOwnerReferences`: required parts, no Event owners, at most one controller. */
export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let firstController = "";
  for (const ref of refs ?? []) {
    // Upstream reports these on the list's path without an index.
    const gv = versionOf(ref.apiVersion ?? "");
    if (!gv.version) causes.push(invalidValue(`${fieldPath}.apiVersion`, ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) causes.push(invalidValue(`${fieldPath}.kind`, ref.kind ?? "", "kind must not be empty"));
    if (!ref.name) causes.push(invalidValue(`${fieldPath}.name`, ref.name ?? "", "name must not be empty"));
    if (!ref.uid) causes.push(invalidValue(`${fieldPath}.uid`, ref.uid ?? "", "uid must not be empty"));
    if (gv.group === "" && gv.version === "v1" && ref.kind === "Event") {
      causes.push(invalidValue(fieldPath, ref, "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        causes.push(
          invalidValue(
            fieldPath,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return causes;
}

/** `ValidateFinalizers`: qualified names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: readonly string[] | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const f of finalizers ?? []) {
    for (const msg of isQualifiedName(f)) causes.push(invalidValue(fieldPath, f, msg));
  }
  if (finalizers?.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    causes.push(invalidValue(fieldPath, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return causes;
}

/** Options for {@link validateObjectMeta}. */
export interface ObjectMetaValidationOptions {
  /** Whether the kind is namespaced (`requiresNamespace` upstream). */
  namespaced: boolean;
  /** Names must be DNS-1123 labels rather than subdomains (e.g. namespaces). */
  nameIsDNSLabel?: boolean;
  /** The kind's own name rule (e.g. RBAC's path-segment names); overrides `nameIsDNSLabel`. */
  nameFn?: ValidateNameFunc;
  /** Path of the metadata being validated; `metadata` unless given. */
  fieldPath?: string;
}

/**
 * `ValidateObjectMetaAccessor` on create. A missing name is accepted when
 * generateName is set, since the name is generated afterwards. Cluster-scoped
 * kinds must have had their namespace cleared first, as the REST layer does.
 */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaValidationOptions): StatusCause[] {
  const path = opts.fieldPath ?? "metadata";
  const nameFn = opts.nameFn ?? (opts.nameIsDNSLabel ? nameIsDNSLabel : nameIsDNSSubdomain);
  const causes: StatusCause[] = [];
  const generateName = meta.generateName ?? "";
  const name = meta.name ?? "";
  const namespace = meta.namespace ?? "";
  if (generateName) {
    for (const msg of nameFn(generateName, true)) causes.push(invalidValue(`${path}.generateName`, generateName, msg));
  }
  if (name) {
    for (const msg of nameFn(name, false)) causes.push(invalidValue(`${path}.name`, name, msg));
  } else if (!generateName) {
    causes.push(required(`${path}.name`, "name or generateName is required"));
  }
  if (opts.namespaced) {
    if (!namespace) causes.push(required(`${path}.namespace`));
    else for (const msg of nameIsDNSLabel(namespace, false)) causes.push(invalidValue(`${path}.namespace`, namespace, msg));
  } else if (namespace) {
    causes.push(forbidden(`${path}.namespace`, "not allowed on this type"));
  }
  if (typeof meta.generation === "number" && meta.generation < 0) {
    causes.push(invalidValue(`${path}.generation`, meta.generation, "must be greater than or equal to 0"));
  }
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  causes.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return causes;
}
