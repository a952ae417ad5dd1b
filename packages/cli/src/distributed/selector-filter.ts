/**
 * @module
 * Client-side label selectors for `jmp get|delete leases -l`: the equality terms go to the controller as the
 * ListLeases filter, and the whole selector is checked here against the labels a lease selects
 * (the `k=v` terms of its canonical selector string).
 */
import { UsageError } from "../errors.js";

/** One requirement of a selector. */
export type Requirement =
  | { readonly key: string; readonly op: "=" | "!="; readonly value: string }
  | { readonly key: string; readonly op: "in" | "notin"; readonly values: readonly string[] }
  | { readonly key: string; readonly op: "exists" | "!exists" };

function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter(Boolean);
}

/** Parses a Kubernetes label selector. */
export function parseRequirements(text: string): Requirement[] {
  return splitTerms(text).map((term): Requirement => {
    let match = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (match) return { key: match[1]!, op: match[2] as "in" | "notin", values: match[3]!.split(",").map((value) => value.trim()) };
    match = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (match) return { key: match[1]!, op: match[2] === "!=" ? "!=" : "=", value: match[3]! };
    match = /^!\s*([^=!\s()]+)$/.exec(term);
    if (match) return { key: match[1]!, op: "!exists" };
    match = /^([^=!\s()]+)$/.exec(term);
    if (match) return { key: match[1]!, op: "exists" };
    throw new UsageError(`invalid label selector ${JSON.stringify(text)}: cannot parse ${JSON.stringify(term)}`);
  });
}

/** The `k=v` terms only, as a selector string (what the controller filters on). */
export function equalityPart(requirements: readonly Requirement[]): string {
  return requirements.flatMap((item) => (item.op === "=" ? [`${item.key}=${item.value}`] : [])).join(",");
}

/** Whether `labels` satisfy every requirement. */
export function matches(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((item) => {
    const has = Object.hasOwn(labels, item.key);
    const value = labels[item.key];
    switch (item.op) {
      case "=":
        return value === item.value;
      case "!=":
        return value !== item.value;
      case "in":
        return has && item.values.includes(value!);
      case "notin":
        return !has || !item.values.includes(value!);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** The labels a lease's selector string selects by equality. */
export function selectedLabels(selector: string): Record<string, string> {
  if (!selector || selector === "<none>") return {};
  const labels: Record<string, string> = {};
  for (const item of parseRequirements(selector)) if (item.op === "=") labels[item.key] = item.value;
  return labels;
}
