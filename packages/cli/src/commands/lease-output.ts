/**
 * @module
 * Printing leases for `jmp create|get|update lease(s)`: table, `-o json` (one lease or `{"leases": […]}`),
 * `-o yaml`, `-o name`.
 */
import type { LeaseView } from "../distributed/lease-view.js";
import { leaseJson, leaseTable } from "../distributed/lease-view.js";
import { toJsonText, toYamlText } from "../output/format.js";

/** Output formats of the lease commands. */
export type LeaseOutput = "json" | "yaml" | "name" | undefined;

/** Prints one lease. */
export async function printLease(view: LeaseView, output: LeaseOutput): Promise<void> {
  if (output === "name") process.stdout.write(`${view.name}\n`);
  else if (output === "json") process.stdout.write(toJsonText(leaseJson(view)));
  else if (output === "yaml") process.stdout.write(await toYamlText(leaseJson(view)));
  else process.stdout.write(leaseTable([view]));
}

/** Prints a list of leases. */
export async function printLeases(views: readonly LeaseView[], output: LeaseOutput): Promise<void> {
  const list = { leases: views.map(leaseJson) };
  if (output === "name") process.stdout.write(views.map((view) => `${view.name}\n`).join(""));
  else if (output === "json") process.stdout.write(toJsonText(list));
  else if (output === "yaml") process.stdout.write(await toYamlText(list));
  else process.stdout.write(leaseTable(views));
}

/** Deprecated-label warnings on stderr. */
export function warnDeprecated(labels: Readonly<Record<string, string>>): void {
  for (const [label, message] of Object.entries(labels)) process.stderr.write(`Warning: label ${label} is deprecated${message ? `: ${message}` : ""}\n`);
}
