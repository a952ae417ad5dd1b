/**
 * @module
 * `jmp get exporters` and `jmp get leases`: list what the controller knows, as a table or `-o json|yaml|name`.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";
import { collect, openSession } from "./client-options.js";

const withChoices = ["leases", "online", "status"] as const;

function pageSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`--page-size expects a positive integer, got ${JSON.stringify(value)}`);
  return size;
}

function exportersCommand(): CommandUnknownOpts {
  return new Command("exporters")
    .aliases(["exporter", "e"])
    .description("List exporters")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("-l, --selector <selector>", "only exporters matching SELECTOR (repeatable)", collect, [] as string[])
    .option("--with <columns>", "extra columns: leases, online, status (comma-separated or repeated)", collect, [] as string[])
    .option("--allow-disabled", "include disabled exporters")
    .option("--show-hidden-labels", "include hidden labels")
    .option("--page-size <n>", "exporters per request", "100")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      const extra = new Set(options.with.flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean));
      for (const value of extra) {
        if (!(withChoices as readonly string[]).includes(value)) throw new UsageError(`invalid --with value ${JSON.stringify(value)} (choose from ${withChoices.join(", ")})`);
      }
      const columns = { online: extra.has("online"), status: extra.has("status"), leases: extra.has("leases"), enabled: options.allowDisabled ?? false };
      const view = await import("../distributed/lease-view.js");
      const session = await openSession(options);
      try {
        const exporters = (
          await session.listExporters({
            filter: options.selector.join(","),
            pageSize: pageSize(options.pageSize),
            showHiddenLabels: options.showHiddenLabels ?? false,
          })
        )
          .map(view.exporterView)
          .filter((item) => columns.enabled || item.enabled);
        if (columns.leases) {
          const leases = (await session.listLeases({ onlyActive: true })).map(view.leaseView).filter((lease) => !lease.effectiveEndTime);
          for (const exporter of exporters) {
            const lease = leases.find((item) => item.exporter === exporter.name);
            if (lease) exporter.lease = lease;
          }
        }
        if (output === "name") process.stdout.write(exporters.map((item) => `${item.name}\n`).join(""));
        else if (output === "json") process.stdout.write(toJsonText(view.exporterListJson(exporters, columns)));
        else if (output === "yaml") process.stdout.write(await toYamlText(view.exporterListJson(exporters, columns)));
        else process.stdout.write(view.exporterTable(exporters, columns));
      } finally {
        session.close();
      }
    });
}

function leasesCommand(): CommandUnknownOpts {
  return new Command("leases")
    .aliases(["lease", "l"])
    .description("List your active leases")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("-l, --selector <selector>", "only leases whose selector matches SELECTOR (repeatable)", collect, [] as string[])
    .option("-a, --all", "include ended leases")
    .option("-A, --all-clients", "include other clients' leases")
    .option("--tag-filter <selector>", "only leases whose tags match SELECTOR")
    .option("--page-size <n>", "leases per request", "100")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      const [{ leaseView }, filter, { printLeases }] = await Promise.all([
        import("../distributed/lease-view.js"),
        import("../distributed/selector-filter.js"),
        import("./lease-output.js"),
      ]);
      const requirements = filter.parseRequirements(options.selector.join(","));
      const session = await openSession(options);
      try {
        const leases = (
          await session.listLeases({
            filter: filter.equalityPart(requirements),
            onlyActive: !options.all,
            pageSize: pageSize(options.pageSize),
            ...(options.tagFilter !== undefined ? { tagFilter: options.tagFilter } : {}),
          })
        )
          .map(leaseView)
          .filter((lease) => options.allClients || lease.client === session.name)
          .filter((lease) => filter.matches(requirements, filter.selectedLabels(lease.selector)));
        await printLeases(leases, output);
      } finally {
        session.close();
      }
    });
}

/** Defines `jmp get`. */
export function getCommand(): CommandUnknownOpts {
  const command = new Command("get").alias("g").description("List resources on the controller");
  command.addCommand(exportersCommand());
  command.addCommand(leasesCommand());
  return command;
}
