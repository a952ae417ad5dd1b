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

const truthy = new Set(["1", "true", "yes", "on"]);

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

/** Python `fnmatch.fnmatchcase`: `*`, `?`, `[seq]`, `[!seq]`, case-sensitive, whole string. */
export function fnmatchcase(name: string, pattern: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) {
        source += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      i = close;
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, "\\$&");
      source += negate ? `[^${body}]` : `[${body}]`;
    } else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s").test(name);
}

/** Whether `label` may be loaded under `allowlist`. */
export function isAllowed(label: string, allowlist: DriverAllowlist): boolean {
  return allowlist.unsafe || allowlist.allow.some((pattern) => fnmatchcase(label, pattern));
}
