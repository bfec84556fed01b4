/**
 * @module
 * Field selectors (`?fieldSelector=`) as apimachinery `pkg/fields/selector.go`
 * parses them: comma-separated `field=value`, `field==value`, `field!=value`
 * terms, with `\,` `\=` `\\` escapes in values and no whitespace trimming.
 */
import { badRequest, type ApiError } from "./errors";
import { goQuote } from "./field-errors";

/** One parsed term; `==` is folded into `=` as upstream's `hasTerm` does. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** `fields.Selector`: an AND of field terms. */
export interface FieldSelector {
  /** True when every term holds; `get` returns a field's value, a missing field counts as `""`. */
  matches(get: (field: string) => string | undefined): boolean;
  /** True when the selector restricts nothing. */
  empty(): boolean;
  /** The fields the selector mentions, in term order; the caller rejects unsupported ones. */
  fields(): string[];
  /** The terms, sorted as upstream sorts them. */
  requirements(): readonly FieldRequirement[];
  /** `RequiresExactMatch`: the value an `=` term demands of `field` (e.g. `metadata.name`). */
  requiresExactMatch(field: string): string | undefined;
  /** Canonical form, values escaped: `metadata.name=x,status.phase!=Running`. */
  toString(): string;
}

/** `fields.EscapeValue`: escapes `\`, `,` and `=` so a value survives parsing. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => "\\" + c);
}

/** `fields.UnescapeValue`, throwing upstream's `invalid field selector: …` errors as 400s. */
export function unescapeFieldValue(s: string): string {
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      // Upstream formats the rune with %v, which prints its code point number.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// At each position "!=" and "==" are tried before "=" so no stray '=' is left in the value.
const TERM_OPERATORS = ["!=", "==", "="] as const;

/** Splits a term at the first operator; the field part supports no escaping. */
function splitTerm(term: string): { field: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class AndSelector implements FieldSelector {
  constructor(private readonly terms: readonly FieldRequirement[]) {}

  matches(get: (field: string) => string | undefined): boolean {
    return this.terms.every((t) => ((get(t.field) ?? "") === t.value) === (t.operator === "="));
  }

  empty(): boolean {
    return this.terms.length === 0;
  }

  fields(): string[] {
    return this.terms.map((t) => t.field);
  }

  requirements(): readonly FieldRequirement[] {
    return this.terms;
  }

  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.operator === "=")?.value;
  }

  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(",");
  }
}

/**
 * `fields.ParseSelector`. The empty string matches everything.
 * @throws ApiError 400 with upstream's message, e.g. `invalid selector: 'x'; can't understand 'x'`.
 * @example parseFieldSelector("metadata.name=web").requiresExactMatch("metadata.name") // "web"
 */
export function parseFieldSelector(s: string): FieldSelector {
  // Upstream sorts the raw terms (bytewise) before parsing them.
  const parts = splitTerms(s).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const terms: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeFieldValue(split.rhs);
    terms.push({ field: split.field, operator: split.op === "!=" ? "!=" : "=", value });
  }
  return new AndSelector(terms);
}

/** `fields.SelectorFromSet`: `field=value` for each entry. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return new AndSelector(Object.entries(set).map(([field, value]) => ({ field, operator: "=", value })));
}

/**
 * The 400 for a field a kind cannot be selected by, as pods' and custom
 * resources' field label conversions word it: `field label not supported: <field>`.
 * @param _resource accepted for readable call sites; upstream's message does not name it.
 */
export function unsupportedFieldSelector(field: string, _resource?: string): ApiError {
  return badRequest(`field label not supported: ${field}`);
}

/**
 * The 400 from upstream's default field label conversion, used by built-in kinds
 * without their own (e.g. apps/v1 ReplicaSet):
 * `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export function unknownFieldSelector(field: string): ApiError {
  return badRequest(`${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
}
