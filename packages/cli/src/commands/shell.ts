/**
 * @module
 * `jmp shell`: local mode (`--exporter-config` / `--exporter`) and direct mode (`--tls-grpc`).
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { loadSelectedExporter } from "./options.js";

/** Defines `jmp shell [COMMAND...]`. */
export function shellCommand(): CommandUnknownOpts {
  return new Command("shell")
    .aliases(["sh", "s"])
    .description("Start a shell (or run COMMAND) connected to an exporter; `j` drives its devices")
    .argument("[command...]", "run this command instead of an interactive shell (put it after --)")
    .option("--exporter <alias>", "serve the exporter config saved as ALIAS locally")
    .option("--exporter-config <path>", "serve the exporter config in PATH locally")
    .option("--tls-grpc <host:port>", "connect directly to an exporter started with jmp run --tls-grpc-listener")
    .option("--tls-grpc-insecure", "with --tls-grpc: plaintext instead of TLS")
    .option("--passphrase <passphrase>", "with --tls-grpc: the exporter's passphrase")
    .option("--exporter-logs", "with --tls-grpc: show the exporter's logs")
    .action(async (command, options) => {
      const commandArgs = command.length > 0 ? command : undefined;
      if (options.tlsGrpc !== undefined) {
        if (options.exporter !== undefined || options.exporterConfig !== undefined) {
          throw new UsageError("--tls-grpc cannot be combined with --exporter or --exporter-config");
        }
        const { runDirectShell } = await import("../shell/direct-client.js");
        process.exitCode = await runDirectShell({
          address: options.tlsGrpc,
          insecure: options.tlsGrpcInsecure ?? false,
          ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
          ...(commandArgs ? { command: commandArgs } : {}),
          exporterLogs: options.exporterLogs ?? false,
        });
        return;
      }
      const loaded = await loadSelectedExporter(options);
      if (!loaded) {
        throw new UsageError("jmp shell needs --exporter-config PATH, --exporter ALIAS or --tls-grpc HOST:PORT");
      }
      const { runLocalShell } = await import("../exporter/local-mode.js");
      process.exitCode = await runLocalShell(loaded, {
        ...(commandArgs ? { command: commandArgs } : {}),
        warn: (line) => process.stderr.write(`Error: ${line}\n`),
      });
    });
}
