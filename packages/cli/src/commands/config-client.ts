/**
 * @module
 * `jmp config client create|list|use|delete`: the saved client configs and which one is current.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import type { ClientConfig } from "../distributed/client-config.js";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";
import { formatTable } from "../output/table.js";
import { canPrompt, requiredOption } from "./option-prompt.js";

/** A config as `list -o json|yaml` shows it: every key, the refresh token left out. */
function listItem(config: ClientConfig, alias: string, path: string): Record<string, unknown> {
  return {
    alias,
    path,
    apiVersion: config.apiVersion,
    kind: config.kind,
    metadata: { namespace: config.metadata.namespace, name: config.metadata.name },
    endpoint: config.endpoint,
    tls: { ca: config.tls.ca, insecure: config.tls.insecure },
    token: config.token,
    grpcOptions: { ...config.grpcOptions },
    drivers: { allow: [...config.drivers.allow], unsafe: config.drivers.unsafe },
    shell: { use_profiles: config.shell.useProfiles },
    leases: {
      acquisition_timeout: config.leases.acquisitionTimeout,
      dial_timeout: config.leases.dialTimeout,
      retry_timeout: config.leases.retryTimeout,
    },
  };
}

/** Defines `jmp config client`. */
export function clientConfigCommand(): CommandUnknownOpts {
  const client = new Command("client").aliases(["clients", "c"]).description("Manage saved client configs");
  client
    .command("create")
    .alias("c")
    .description("Save a new client config as ALIAS")
    .argument("<alias>", "name to save it under")
    .option("--out <path>", "write the config to PATH instead of the user directory")
    .option("--namespace <namespace>", "client namespace")
    .option("--name <name>", "client name")
    .option("-e, --endpoint <endpoint>", "controller endpoint host:port")
    .option("-t, --token <token>", "client token")
    .option("-a, --allow <patterns>", "driver client classes j may load (comma-separated globs)")
    .option("--unsafe", "let j load every driver client")
    .option("-k, --insecure-tls", "do not verify the controller's TLS certificate")
    .option("--nointeractive", "never prompt")
    .option("-o, --output <format>", "path")
    .action(async (alias, options) => {
      const output = parseOutput(options.output, ["path"] as const);
      const interactive = canPrompt(options.nointeractive);
      const { validateClientAlias, saveClientConfig } = await import("../distributed/client-store.js");
      const { newClientConfig, parseDriverPatterns } = await import("../distributed/client-config.js");
      validateClientAlias(alias);
      const config = newClientConfig({
        namespace: await requiredOption(options.namespace, "namespace", interactive),
        name: await requiredOption(options.name, "name", interactive),
        endpoint: await requiredOption(options.endpoint, "endpoint", interactive),
        tls: { ca: "", insecure: options.insecureTls ?? false },
        token: await requiredOption(options.token, "token", interactive),
        drivers: { allow: parseDriverPatterns(options.allow), unsafe: options.unsafe ?? false },
      });
      const path = await saveClientConfig(alias, config, options.out !== undefined ? { out: options.out } : {});
      process.stdout.write(output === "path" ? `${path}\n` : `Client config "${alias}" saved to ${path}\n`);
    });
  client
    .command("list")
    .alias("ls")
    .description("List saved client configs (* marks the current one)")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      const { clientConfigPath, currentClientAlias, listClientAliases } = await import("../distributed/client-store.js");
      const aliases = listClientAliases();
      const current = await currentClientAlias();
      if (output === "name") {
        process.stdout.write(aliases.map((alias) => `${alias}\n`).join(""));
        return;
      }
      const { loadClientConfigFile } = await import("../distributed/client-config.js");
      const loaded = await Promise.all(aliases.map((alias) => loadClientConfigFile(clientConfigPath(alias), alias)));
      if (output === "json" || output === "yaml") {
        const list = {
          apiVersion: "jumpstarter.dev/v1alpha1",
          currentConfig: current,
          items: loaded.map((item) => listItem(item.config, item.alias!, item.path!)),
          kind: "ClientConfigList",
        };
        process.stdout.write(output === "json" ? toJsonText(list) : await toYamlText(list));
        return;
      }
      const rows = loaded.map((item) => [item.alias === current ? "*" : "", item.alias!, item.config.endpoint ?? "", item.path!]);
      process.stdout.write(formatTable(["CURRENT", "ALIAS", "ENDPOINT", "PATH"], rows));
    });
  client
    .command("use")
    .description("Make the saved client config ALIAS the current one")
    .argument("<alias>", "the config to use")
    .option("-o, --output <format>", "path")
    .action(async (alias, options) => {
      const output = parseOutput(options.output, ["path"] as const);
      const { useClient } = await import("../distributed/client-store.js");
      const path = await useClient(alias);
      process.stdout.write(output === "path" ? `${path}\n` : `Using client config "${alias}"\n`);
    });
  client
    .command("delete")
    .aliases(["del", "d", "rm"])
    .description("Delete the saved client config ALIAS")
    .argument("<alias>", "the config to delete")
    .option("-o, --output <format>", "path")
    .action(async (alias, options) => {
      const output = parseOutput(options.output, ["path"] as const);
      const { deleteClient } = await import("../distributed/client-store.js");
      const path = await deleteClient(alias);
      process.stdout.write(output === "path" ? `${path}\n` : `Client config "${alias}" deleted\n`);
    });
  return client;
}
