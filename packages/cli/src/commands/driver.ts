/**
 * @module
 * `jmp driver list`: the driver types this installation can load, from installed packages' manifests.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";
import { formatTable } from "../output/table.js";

/** Defines `jmp driver`. */
export function driverCommand(): CommandUnknownOpts {
  const driver = new Command("driver").description("Inspect installed drivers");
  driver
    .command("list")
    .alias("ls")
    .description("List the driver types exporter configs can use")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      const { manifestIndex } = await import("../plugins/manifests.js");
      const index = manifestIndex({ bases: [process.cwd()], everything: true });
      const items = [...index.drivers.entries()]
        .map(([type, target]) => ({ name: target.exportName, type, package: target.packageName }))
        .sort((a, b) => a.type.localeCompare(b.type));
      if (output === "json") process.stdout.write(toJsonText({ items }));
      else if (output === "yaml") process.stdout.write(await toYamlText({ items }));
      else if (output === "name") process.stdout.write(items.map((item) => `${item.type}\n`).join(""));
      else process.stdout.write(formatTable(["NAME", "TYPE", "PACKAGE"], items.map((item) => [item.name, item.type, item.package])));
    });
  return driver;
}
