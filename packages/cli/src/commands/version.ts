/**
 * @module
 * `jmp version [-o json|yaml]`.
 */
import { readFileSync } from "node:fs";
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";

/** This package's version, from its package.json. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** Defines `jmp version`. */
export function versionCommand(): CommandUnknownOpts {
  return new Command("version")
    .aliases(["ver", "v"])
    .description("Show the version of jmp")
    .option("-o, --output <format>", "json or yaml")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml"] as const);
      const info = { gitVersion: cliVersion(), nodeVersion: process.versions.node };
      if (output === "json") process.stdout.write(toJsonText(info));
      else if (output === "yaml") process.stdout.write(await toYamlText(info));
      else {
        const from = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
        process.stdout.write(`Jumpstarter v${info.gitVersion} from ${from} (Node ${process.versions.node})\n`);
      }
    });
}
