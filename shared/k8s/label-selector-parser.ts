/**
 * @module
 * The label selector string grammar (`?labelSelector=`), a port of the lexer
 * and recursive-descent parser in apimachinery `pkg/labels/selector.go`, with
 * the same error messages so clients see what kube-apiserver would say.
 */
import { badRequest } from "./errors";
import { aggregateErrorString, fieldErrorString, invalidValue } from "./field-errors";
import { BINARY_OPERATORS, compareBytes, newRequirement, type LabelOperator, type LabelRequirement } from "./label-requirement";
import { isQualifiedName } from "./validation";

type Token =
  | "error"
  | "end"
  | ")"
  | ","
  | "!"
  | "=="
  | "="
  | ">"
  | "identifier"
  | "in"
  | "<"
  | "!="
  | "notin"
  | "(";

interface Item {
  tok: Token;
  literal: string;
}

// A Map, not an object literal: an identifier such as "toString" must not hit Object.prototype.
const KEYWORDS = new Map<string, Token>([
  [")", ")"],
  [",", ","],
  ["!", "!"],
  ["==", "=="],
  ["=", "="],
  [">", ">"],
  ["in", "in"],
  ["<", "<"],
  ["!=", "!="],
  ["notin", "notin"],
  ["(", "("],
]);

const BINARY_TOKENS = new Map<Token, LabelOperator>([
  ["in", "in"],
  ["notin", "notin"],
  ["=", "="],
  ["==", "=="],
  ["!=", "!="],
  [">", "gt"],
  ["<", "lt"],
]);

const isWhitespace = (ch: string): boolean => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string): boolean => "=!(),><".includes(ch) && ch !== "";

/** Splits a selector into tokens; the last one is always "end". */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s.charAt(pos))) pos++;
    if (pos >= s.length) {
      items.push({ tok: "end", literal: "" });
      return items;
    }
    const start = pos;
    if (isSpecial(s.charAt(pos))) {
      // Longest run of special characters that still forms an operator ("!=" but not "!=!").
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s.charAt(pos))) {
        const candidate = KEYWORDS.get(s.slice(start, pos + 1));
        if (candidate) last = { tok: candidate, literal: s.slice(start, pos + 1) };
        else if (last) break;
        pos++;
      }
      items.push(last ?? { tok: "error", literal: `error expected: keyword found '${s.slice(start, pos)}'` });
    } else {
      while (pos < s.length && !isSpecial(s.charAt(pos)) && !isWhitespace(s.charAt(pos))) pos++;
      const word = s.slice(start, pos);
      items.push({ tok: KEYWORDS.get(word) ?? "identifier", literal: word });
    }
  }
}

class ParseError extends Error {}

/** The parser proper; `values` context reads the keywords `in`/`notin` as identifiers. */
class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private peek(values: boolean): Item {
    return this.view(this.items[this.position], values);
  }

  private next(values: boolean): Item {
    const item = this.view(this.items[this.position], values);
    // Never run past the final "end" token: upstream's parser stops there.
    if (this.position < this.items.length - 1) this.position++;
    return item;
  }

  private view(item: Item | undefined, values: boolean): Item {
    const it = item ?? { tok: "end", literal: "" };
    return values && (it.tok === "in" || it.tok === "notin") ? { tok: "identifier", literal: it.literal } : it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.peek(true);
      if (tok === "end") return reqs;
      if (tok !== "identifier" && tok !== "!") {
        throw new ParseError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === "end") return reqs;
      if (after.tok !== ",") throw new ParseError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== "identifier" && following.tok !== "!") {
        throw new ParseError(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let { tok, literal } = this.next(true);
    let operator: LabelOperator | undefined;
    if (tok === "!") {
      operator = "!";
      ({ tok, literal } = this.next(true));
    }
    if (tok !== "identifier") throw new ParseError(`found '${literal}', expected: identifier`);
    const key = literal;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) {
      // Upstream validates with a nil *field.Path here, which prints as "<nil>".
      throw new ParseError(fieldErrorString(invalidValue("<nil>", key, keyErrs.join("; "))));
    }
    const ahead = this.peek(true).tok;
    if (operator === undefined && (ahead === "end" || ahead === ",")) operator = "exists";
    if (operator === "exists" || operator === "!") return build(key, operator, []);

    const op = this.next(false);
    const parsedOp = BINARY_TOKENS.get(op.tok);
    if (!parsedOp) throw new ParseError(`found '${op.literal}', expected: ${BINARY_OPERATORS.join(", ")}`);
    const values = parsedOp === "in" || parsedOp === "notin" ? this.parseValues() : this.parseExactValue();
    // Upstream collects values in a string set: deduplicated and sorted.
    return build(key, parsedOp, [...values].sort(compareBytes));
  }

  private parseValues(): Set<string> {
    const open = this.next(true);
    if (open.tok !== "(") throw new ParseError(`found '${open.literal}' expected: '('`);
    const { tok, literal } = this.peek(true);
    if (tok === "identifier" || tok === ",") {
      const set = this.parseIdentifiersList();
      if (this.next(true).tok !== ")") throw new ParseError(`found '${literal}', expected: ')'`);
      return set;
    }
    if (tok === ")") {
      this.next(true);
      return new Set([""]);
    }
    throw new ParseError(`found '${literal}', expected: ',', ')' or identifier`);
  }

  /**
   * A possibly empty, comma-separated list of possibly empty identifiers: `(a,,b)`, `(,)`.
   * Follows current upstream, which fixed 1.32's rejection of `(a,,)` and `(,,)`.
   */
  private parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, literal } = this.next(true);
      if (tok === "identifier") {
        set.add(literal);
        const ahead = this.peek(true);
        if (ahead.tok === ",") continue;
        if (ahead.tok === ")") return set;
        throw new ParseError(`found '${ahead.literal}', expected: ',' or ')'`);
      }
      if (tok !== ",") throw new ParseError(`found '${literal}', expected: ',', or identifier`);
      if (set.size === 0) set.add("");
      const ahead = this.peek(true).tok;
      if (ahead === ")") {
        set.add("");
        return set;
      }
      if (ahead === ",") set.add("");
    }
  }

  private parseExactValue(): Set<string> {
    const ahead = this.peek(true).tok;
    if (ahead === "end" || ahead === ",") return new Set([""]);
    const { tok, literal } = this.next(true);
    if (tok === "identifier") return new Set([literal]);
    throw new ParseError(`found '${literal}', expected: identifier`);
  }
}

function build(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const { requirement, causes } = newRequirement(key, operator, values);
  if (causes.length > 0) throw new ParseError(aggregateErrorString(causes));
  return requirement;
}

/**
 * `labels.Parse` without the final sort: the requirements of a selector string.
 * @throws ApiError 400 BadRequest with upstream's message, e.g.
 *   `unable to parse requirement: found '', expected: ',', ')' or identifier`.
 */
export function parseRequirements(selector: string): LabelRequirement[] {
  try {
    return new Parser(lex(selector)).parse();
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}
