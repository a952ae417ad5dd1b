/**
 * @module
 * `jmp config exporter create|list|delete|edit` (and `jmp config client`, defined in config-client.ts).
 */
import { spawn } from "node:child_process";
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { CliError } from "../errors.js";
import { clientConfigCommand } from "./config-client.js";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";
import { formatTable } from "../output/table.js";
import { canPrompt, requiredOption } from "./option-prompt.js";

function exporterCommand(): CommandUnknownOpts {
  const exporter = new Command("exporter").aliases(["exporters", "e"]).description("Manage saved exporter configs");
  exporter
    .command("create")
    .alias("c")
    .description("Save a new exporter config as ALIAS (default: default)")
    .argument("[alias]", "name to save it under", "default")
    .option("--namespace <namespace>", "exporter namespace")
    .option("--name <name>", "exporter name")
    .option("--endpoint <endpoint>", "controller endpoint host:port")
    .option("--token <token>", "exporter token")
    .option("-k, --insecure-tls", "do not verify the controller's TLS certificate")
    .option("--nointeractive", "never prompt")
    .option("-o, --output <format>", "path")
    .action(async (alias, options) => {
      const output = parseOutput(options.output, ["path"] as const);
      const interactive = canPrompt(options.nointeractive);
      const values = {
        namespace: await requiredOption(options.namespace, "namespace", interactive),
        name: await requiredOption(options.name, "name", interactive),
        endpoint: await requiredOption(options.endpoint, "endpoint", interactive),
        token: await requiredOption(options.token, "token", interactive),
        insecureTls: options.insecureTls ?? false,
      };
      const { createSavedExporter } = await import("../config/exporter-store.js");
      const path = await createSavedExporter(alias, values);
      process.stdout.write(output === "path" ? `${path}\n` : `Exporter config "${alias}" saved to ${path}\n`);
    });
  exporter
    .command("list")
    .alias("ls")
    .description("List saved exporter configs")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      const { listSavedExporters, readSavedExporter } = await import("../config/exporter-store.js");
      const saved = listSavedExporters();
      if (output === "name") process.stdout.write(saved.map((item) => `${item.alias}\n`).join(""));
      else if (output === "json" || output === "yaml") {
        const items = await Promise.all(saved.map(async (item) => ({ ...(await readSavedExporter(item)), alias: item.alias, path: item.path })));
        const list = { apiVersion: "jumpstarter.dev/v1alpha1", items, kind: "ExporterConfigList" };
        process.stdout.write(output === "json" ? toJsonText(list) : await toYamlText(list));
      } else process.stdout.write(formatTable(["ALIAS", "PATH"], saved.map((item) => [item.alias, item.path])));
    });
  exporter
    .command("delete")
    .aliases(["del", "d", "rm"])
    .description("Delete the saved exporter config ALIAS (default: default)")
    .argument("[alias]", "the config to delete", "default")
    .option("-o, --output <format>", "path")
    .action(async (alias, options) => {
      const output = parseOutput(options.output, ["path"] as const);
      const { deleteSavedExporter } = await import("../config/exporter-store.js");
      const path = await deleteSavedExporter(alias);
      process.stdout.write(output === "path" ? `${path}\n` : `Exporter config "${alias}" deleted\n`);
    });
  exporter
    .command("edit")
    .description("Open the saved exporter config ALIAS (default: default) in $EDITOR")
    .argument("[alias]", "the config to edit", "default")
    .action(async (alias) => {
      const { exporterAliasCandidates } = await import("../config/paths.js");
      const { existsSync } = await import("node:fs");
      const path = exporterAliasCandidates(alias).find((candidate) => existsSync(candidate));
      if (!path) throw new CliError(`exporter config "${alias}" does not exist`);
      const editor = process.env["VISUAL"] || process.env["EDITOR"] || "vi";
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn("/bin/sh", ["-c", `${editor} "$1"`, "jmp-edit", path], { stdio: "inherit" });
        child.once("error", reject);
        child.once("exit", (exitCode) => resolve(exitCode ?? 1));
      });
      if (code !== 0) throw new CliError(`editor ${editor} exited with code ${code}`);
    });
  return exporter;
}

/** Defines `jmp config`. */
export function configCommand(): CommandUnknownOpts {
  const config = new Command("config").alias("conf").description("Manage saved configs");
  config.addCommand(clientConfigCommand());
  config.addCommand(exporterCommand());
  return config;
}
