/**
 * @module
 * `jmp delete leases [NAMES...]`: release leases by name, by selector (`-l`), all of the caller's (`-a`) or
 * every client's (`-A`).
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { CliError, UsageError } from "../errors.js";
import { parseOutput } from "../output/format.js";
import { collect, openSession } from "./client-options.js";

function leasesCommand(): CommandUnknownOpts {
  return new Command("leases")
    .aliases(["lease", "l"])
    .description("Release leases")
    .argument("[names...]", "the leases to release")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("-l, --selector <selector>", "release your active leases matching SELECTOR (repeatable)", collect, [] as string[])
    .option("-a, --all", "release all your active leases")
    .option("-A, --all-clients", "release the active leases of every client")
    .option("-o, --output <format>", "name")
    .action(async (names, options) => {
      const output = parseOutput(options.output, ["name"] as const);
      const bySelector = options.selector.length > 0;
      if (names.length === 0 && !bySelector && !options.all && !options.allClients) {
        throw new UsageError("give lease NAMES, -l/--selector, -a/--all or -A/--all-clients");
      }
      const [{ leaseView }, filter] = await Promise.all([import("../distributed/lease-view.js"), import("../distributed/selector-filter.js")]);
      const requirements = bySelector ? filter.parseRequirements(options.selector.join(",")) : [];
      const session = await openSession(options);
      const failures: string[] = [];
      try {
        let targets = [...names];
        if (bySelector || options.all || options.allClients) {
          const active = (await session.listLeases({ onlyActive: true, filter: filter.equalityPart(requirements) })).map(leaseView);
          targets.push(
            ...active
              .filter((view) => options.allClients || view.client === session.name)
              .filter((view) => filter.matches(requirements, filter.selectedLabels(view.selector)))
              .map((view) => view.name),
          );
          targets = [...new Set(targets)];
        }
        for (const name of targets) {
          try {
            await session.deleteLease(name);
            process.stdout.write(output === "name" ? `${name}\n` : `lease "${name}" deleted\n`);
          } catch (error) {
            failures.push(`${name}: ${(error as Error).message}`);
          }
        }
      } finally {
        session.close();
      }
      if (failures.length > 0) throw new CliError(failures.length === 1 ? failures[0]! : `cannot delete ${failures.length} leases: ${failures.join("; ")}`);
    });
}

/** Defines `jmp delete`. */
export function deleteCommand(): CommandUnknownOpts {
  const command = new Command("delete").aliases(["del", "d"]).description("Delete resources on the controller");
  command.addCommand(leasesCommand());
  return command;
}
