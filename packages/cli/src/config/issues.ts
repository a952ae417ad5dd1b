/**
 * @module
 * Turns validation issues (zod's, or any schema shaped like it) into short messages tied to a file and line.
 */
import { ConfigError } from "../errors.js";
import type { KeyPath, YamlSource } from "./yaml-source.js";
import { formatKeyPath } from "./yaml-source.js";

/** One validation problem: where, and what. Zod issues satisfy this. */
export interface SchemaIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly code?: string;
  readonly expected?: unknown;
  readonly values?: readonly unknown[];
  readonly keys?: readonly string[];
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly origin?: string;
}

const nouns: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  tuple: "a list",
  null: "null",
};

/** A short, user-facing description of one issue. */
export function describeIssue(issue: SchemaIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      if (/received undefined$/.test(issue.message)) return "is required";
      const expected = String(issue.expected);
      return `expected ${nouns[expected] ?? expected}`;
    }
    case "invalid_value":
      return issue.values && issue.values.length > 0
        ? `expected ${issue.values.length === 1 ? "" : "one of "}${issue.values.map((value) => JSON.stringify(value)).join(", ")}`
        : issue.message;
    case "unrecognized_keys":
      return `unknown key ${(issue.keys ?? []).map((key) => JSON.stringify(key)).join(", ")}`;
    case "too_small":
      return issue.origin === "number" || issue.origin === "int" ? `must be at least ${String(issue.minimum)}` : issue.message;
    case "too_big":
      return issue.origin === "number" || issue.origin === "int" ? `must be at most ${String(issue.maximum)}` : issue.message;
    default:
      return issue.message;
  }
}

/**
 * The {@link ConfigError} for the first of `issues`, found under `prefix` in `source`; the error notes how
 * many more problems there are.
 */
export function issuesToError(source: YamlSource, issues: readonly SchemaIssue[], prefix: KeyPath = []): ConfigError {
  const first = issues[0]!;
  let path: PropertyKey[] = [...prefix, ...first.path];
  let atKey = false;
  const keyIssue = (first.code === "unrecognized_keys" || first.code === "custom_unknown_key") && (first.keys?.length ?? 0) > 0;
  if (keyIssue) {
    path = [...path, first.keys![0]!];
    atKey = true;
  }
  const reportedPath = keyIssue ? [...prefix, ...first.path] : path;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
  const line = source.line(path, atKey);
  return new ConfigError(
    { file: source.file, ...(line !== undefined ? { line } : {}), path: formatKeyPath(reportedPath) || "(top level)" },
    describeIssue(first) + more,
  );
}
