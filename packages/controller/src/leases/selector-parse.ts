/**
 * @module
 * Parser of Kubernetes label-selector strings (`labels.Parse` syntax): `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, `k>n`, `k<n`, joined by commas (AND).
 */
import { labelKeyError, labelValueError } from "./labels.js";

/** Operators as Kubernetes names them (`selection.Operator`). */
export type SelectorOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One parsed requirement; `values` are sorted and unique. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A selector string that cannot be parsed, or a selector that cannot be used. */
export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

type TokenKind = "ident" | "in" | "notin" | "=" | "==" | "!=" | "!" | ">" | "<" | "," | "(" | ")" | "end";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === "==" || two === "!=") {
        tokens.push({ kind: two, text: two });
        i += 2;
      } else {
        tokens.push({ kind: c as TokenKind, text: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < input.length && !SPECIAL.has(input[j] as string) && !/\s/.test(input[j] as string)) j++;
    const text = input.slice(i, j);
    tokens.push({ kind: text === "in" ? "in" : text === "notin" ? "notin" : "ident", text });
    i = j;
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.pos++;
    return token;
  }

  private fail(found: Token, expected: string): never {
    throw new SelectorError(`unable to parse requirement: found '${found.text}', expected: ${expected}`);
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    if (this.peek().kind === "end") return out;
    for (;;) {
      out.push(this.requirement());
      const token = this.next();
      if (token.kind === "end") return out;
      if (token.kind !== ",") this.fail(token, "',' or 'end of string'");
      if (this.peek().kind === "end") this.fail(this.peek(), "identifier after ','");
    }
  }

  private requirement(): Requirement {
    let token = this.next();
    if (token.kind === "!") {
      token = this.next();
      if (token.kind !== "ident") this.fail(token, "identifier after '!'");
      return build(token.text, "!", []);
    }
    if (token.kind !== "ident") this.fail(token, "identifier or '!'");
    const key = token.text;
    const op = this.peek();
    switch (op.kind) {
      case "end":
      case ",":
        return build(key, "exists", []);
      case "in":
      case "notin":
        this.next();
        return build(key, op.kind, this.valueSet());
      case "=":
      case "==":
      case "!=":
        this.next();
        return build(key, op.kind, [this.exactValue()]);
      case ">":
      case "<":
        this.next();
        return build(key, op.kind === ">" ? "gt" : "lt", [this.exactValue()]);
      default:
        return this.fail(op, "in, notin, =, ==, !=, gt, lt");
    }
  }

  private exactValue(): string {
    const token = this.peek();
    if (token.kind === "end" || token.kind === ",") return "";
    if (token.kind === "ident" || token.kind === "in" || token.kind === "notin") return this.next().text;
    return this.fail(token, "identifier");
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== "(") this.fail(open, "'('");
    const values: string[] = [];
    if (this.peek().kind === ")") {
      this.next();
      return [""];
    }
    for (;;) {
      const token = this.peek();
      if (token.kind === "," || token.kind === ")") {
        values.push("");
      } else if (token.kind === "ident" || token.kind === "in" || token.kind === "notin") {
        values.push(this.next().text);
      } else {
        this.fail(token, "identifier, ',' or ')'");
      }
      const sep = this.next();
      if (sep.kind === ")") return values;
      if (sep.kind !== ",") this.fail(sep, "',' or ')'");
    }
  }
}

function build(key: string, operator: SelectorOperator, values: string[]): Requirement {
  const keyError = labelKeyError(key);
  if (keyError !== undefined) throw new SelectorError(`unable to parse requirement: ${keyError}`);
  if (operator === "gt" || operator === "lt") {
    if (!/^-?\d+$/.test(values[0] ?? "")) {
      throw new SelectorError(`unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer`);
    }
  } else {
    for (const value of values) {
      const valueError = labelValueError(value);
      if (valueError !== undefined) throw new SelectorError(`unable to parse requirement: ${valueError}`);
    }
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

/**
 * Parses a Kubernetes label-selector string into requirements sorted by key (stable), like `labels.Parse`.
 * The empty string (or only spaces) gives no requirements. Throws {@link SelectorError}.
 */
export function parseRequirements(input: string): Requirement[] {
  const requirements = new Parser(tokenize(input)).parse();
  return requirements
    .map((requirement, index) => ({ requirement, index }))
    .sort((a, b) => (a.requirement.key < b.requirement.key ? -1 : a.requirement.key > b.requirement.key ? 1 : a.index - b.index))
    .map(({ requirement }) => requirement);
}
