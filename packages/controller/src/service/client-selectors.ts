/**
 * @module
 * Selector strings of ClientService list filters: Kubernetes `labels.Parse` syntax, where `==` means `=`
 * (unlike CreateLease's selector, which refuses it), and tag filters whose keys get the tag label prefix.
 */
import { Code, JumpstarterError } from "@jumpstarter/core";
import { TAG_LABEL_PREFIX } from "../leases/new-lease.js";
import { parseRequirements, toLabelSelector } from "../leases/selector.js";
import type { LabelSelector, Requirement } from "../leases/selector.js";

function filterRequirements(input: string): Requirement[] {
  return parseRequirements(input).map((requirement) => (requirement.operator === "==" ? { ...requirement, operator: "=" as const } : requirement));
}

/** A list `filter` as a selector; empty matches everything. */
export function parseListFilter(filter: string): LabelSelector {
  return toLabelSelector(filterRequirements(filter));
}

/** `filter` and `tag_filter` of ListLeases combined into one selector. */
export function parseLeaseFilter(filter: string, tagFilter: string): LabelSelector {
  const requirements = filterRequirements(filter);
  if (tagFilter !== "") {
    let tagRequirements: Requirement[];
    try {
      tagRequirements = filterRequirements(tagFilter);
    } catch (error) {
      throw new JumpstarterError(`invalid tag_filter: ${(error as Error).message}`, Code.INVALID_ARGUMENT, { cause: error });
    }
    for (const requirement of tagRequirements) requirements.push({ ...requirement, key: `${TAG_LABEL_PREFIX}${requirement.key}` });
  }
  return toLabelSelector(requirements);
}
