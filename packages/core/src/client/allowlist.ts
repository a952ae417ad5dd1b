/**
 * @module
 * Which client classes may be loaded for the labels an exporter reports (spec driver-calls §8).
 */

/** The driver allowlist: glob patterns on `jumpstarter.dev/client`, or everything when `unsafe`. */
export interface DriverAllowlist {
  readonly allow: readonly string[];
  readonly unsafe: boolean;
}

/** Nothing allowed: the reference default without configuration. */
export const emptyAllowlist: DriverAllowlist = { allow: [], unsafe: false };
/** Everything allowed: local mode, direct mode and `serve()`. */
export const unsafeAllowlist: DriverAllowlist = { allow: [], unsafe: true };

/** What pydantic accepts as `true` for a bool setting. */
const truthy = new Set(["1", "true", "yes", "on", "t", "y"]);

/**
 * Reads `JMP_DRIVERS_ALLOW` (comma-separated globs; the token `UNSAFE` allows all) and `JMP_DRIVERS_UNSAFE`;
 * when neither is set, `fallback` (the client config's `drivers`) applies.
 */
export function allowlistFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: DriverAllowlist = emptyAllowlist): DriverAllowlist {
  const allowVar = env["JMP_DRIVERS_ALLOW"];
  const unsafeVar = env["JMP_DRIVERS_UNSAFE"];
  if (allowVar === undefined && unsafeVar === undefined) return fallback;
  const tokens = (allowVar ?? "").split(",").map((token) => token.trim()).filter(Boolean);
  return {
    allow: tokens.filter((token) => token !== "UNSAFE"),
    unsafe: tokens.includes("UNSAFE") || truthy.has((unsafeVar ?? "").toLowerCase()),
  };
}

type GlobToken =
  | { readonly kind: "star" }
  | { readonly kind: "one"; readonly test: (ch: string) => boolean };

/** A `[...]` set per Python's fnmatch: `!` negates, `a-z` ranges, reversed ranges match nothing. */
function setTest(body: string): (ch: string) => boolean {
  const negate = body.startsWith("!");
  const chars = Array.from(negate ? body.slice(1) : body);
  const ranges: Array<[number, number]> = [];
  for (let p = 0; p < chars.length; ) {
    if (p + 2 < chars.length && chars[p + 1] === "-") {
      const low = chars[p]!.codePointAt(0)!;
      const high = chars[p + 2]!.codePointAt(0)!;
      if (low <= high) ranges.push([low, high]);
      p += 3;
    } else {
      const point = chars[p]!.codePointAt(0)!;
      ranges.push([point, point]);
      p++;
    }
  }
  return (ch) => {
    const point = ch.codePointAt(0)!;
    return ranges.some(([low, high]) => point >= low && point <= high) !== negate;
  };
}

function globTokens(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; ) {
    const ch = chars[i]!;
    if (ch === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
      i++;
    } else if (ch === "?") {
      tokens.push({ kind: "one", test: () => true });
      i++;
    } else if (ch === "[") {
      let close = i + 1;
      if (chars[close] === "!") close++;
      if (chars[close] === "]") close++;
      while (close < chars.length && chars[close] !== "]") close++;
      if (close >= chars.length) {
        tokens.push({ kind: "one", test: (c) => c === "[" });
        i++;
      } else {
        tokens.push({ kind: "one", test: setTest(chars.slice(i + 1, close).join("")) });
        i = close + 1;
      }
    } else {
      tokens.push({ kind: "one", test: (c) => c === ch });
      i++;
    }
  }
  return tokens;
}

/**
 * Python `fnmatch.fnmatchcase`: `*` (any run, `/` and newlines included), `?`, `[seq]`, `[!seq]` with ranges;
 * case-sensitive; the whole name must match. An unclosed `[` is a literal.
 */
export function fnmatchcase(name: string, pattern: string): boolean {
  const tokens = globTokens(pattern);
  const chars = Array.from(name);
  let t = 0;
  let c = 0;
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token?.kind === "one" && token.test(chars[c]!)) {
      t++;
      c++;
    } else if (token?.kind === "star") {
      starToken = t++;
      starChar = c;
    } else if (starToken >= 0) {
      t = starToken + 1;
      c = ++starChar;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

/** Whether `label` may be loaded under `allowlist`. */
export function isAllowed(label: string, allowlist: DriverAllowlist): boolean {
  return allowlist.unsafe || allowlist.allow.some((pattern) => fnmatchcase(label, pattern));
}
