/**
 * @module
 * Label selectors (spec §5): the `LabelSelector` record (matchLabels + matchExpressions, Kubernetes operator
 * spelling), conversion from the selector string of CreateLease, the canonical string form returned in
 * `Lease.selector`, and matching against labels.
 */
import { parseRequirements, SelectorError } from "./selector-parse.js";
import type { Requirement } from "./selector-parse.js";

export { SelectorError, parseRequirements } from "./selector-parse.js";
export type { Requirement, SelectorOperator } from "./selector-parse.js";

/** Operator of a {@link LabelSelectorRequirement}, spelled as Kubernetes and the wire do. */
export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** One `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes `LabelSelector`: every matchLabels pair and every expression must hold. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** The selector that matches everything. */
export const emptySelector: LabelSelector = Object.freeze({ matchLabels: Object.freeze({}), matchExpressions: Object.freeze([]) });

/** Whether the selector has no requirement at all. */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/**
 * Converts requirements to a LabelSelector the way the reference controller does: `=` → matchLabels (two
 * different values for one key are an error), `!=` values of one key merged into a single `NotIn`, other
 * operators → matchExpressions; `==`, `gt`, `lt` are refused with "unsupported label selector operator: …".
 */
export function toLabelSelector(requirements: readonly Requirement[]): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  const notEquals = new Map<string, string[]>();
  for (const { key, operator, values } of requirements) {
    switch (operator) {
      case "=": {
        const value = values[0] ?? "";
        const existing = matchLabels[key];
        if (existing !== undefined && existing !== value) {
          throw new SelectorError(`conflicting values for label "${key}": "${existing}" and "${value}"`);
        }
        matchLabels[key] = value;
        break;
      }
      case "!=":
        notEquals.set(key, [...(notEquals.get(key) ?? []), ...values]);
        break;
      case "in":
        matchExpressions.push({ key, operator: "In", values: [...values] });
        break;
      case "notin":
        matchExpressions.push({ key, operator: "NotIn", values: [...values] });
        break;
      case "exists":
        matchExpressions.push({ key, operator: "Exists", values: [] });
        break;
      case "!":
        matchExpressions.push({ key, operator: "DoesNotExist", values: [] });
        break;
      default:
        throw new SelectorError(`unsupported label selector operator: ${operator}`);
    }
  }
  for (const [key, values] of [...notEquals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    matchExpressions.push({ key, operator: "NotIn", values: [...new Set(values)].sort() });
  }
  return { matchLabels, matchExpressions };
}

/** Parses a selector string (CreateLease `selector`, ListExporters `filter`) into a LabelSelector. */
export function parseSelector(input: string): LabelSelector {
  return toLabelSelector(parseRequirements(input));
}

/** One requirement in canonical string form. */
function formatRequirement(key: string, operator: LabelSelectorOperator | "=", values: readonly string[]): string {
  const list = () => [...values].sort().join(",");
  switch (operator) {
    case "=":
      return `${key}=${values[0] ?? ""}`;
    case "In":
      return `${key} in (${list()})`;
    case "NotIn":
      return `${key} notin (${list()})`;
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
  }
}

/**
 * The canonical string of a selector (`metav1.FormatLabelSelector`): requirements sorted by key, values
 * sorted, joined by commas; `"<none>"` for the empty selector.
 */
export function formatSelector(selector: LabelSelector): string {
  const parts: { key: string; text: string }[] = [];
  for (const key of Object.keys(selector.matchLabels)) {
    parts.push({ key, text: formatRequirement(key, "=", [selector.matchLabels[key] ?? ""]) });
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    parts.push({ key, text: formatRequirement(key, operator, values) });
  }
  const text = parts
    .map((part, index) => ({ part, index }))
    .sort((a, b) => (a.part.key < b.part.key ? -1 : a.part.key > b.part.key ? 1 : a.index - b.index))
    .map(({ part }) => part.text)
    .join(",");
  return text.length === 0 ? "<none>" : text;
}

/** Whether `labels` satisfy every requirement of `selector` (the empty selector matches everything). */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    const present = Object.hasOwn(labels, key);
    const value = labels[key];
    switch (operator) {
      case "In":
        if (!present || !values.includes(value as string)) return false;
        break;
      case "NotIn":
        if (present && values.includes(value as string)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
    }
  }
  return true;
}
