/**
 * @module
 * `jmp shell`: local mode (`--exporter-config` / `--exporter`), direct mode (`--tls-grpc`), and through a
 * controller with a client config (`--client` / `--client-config`, env-only config or the current client).
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { collect } from "./client-options.js";
import { loadSelectedExporter } from "./options.js";

const NO_TARGET = "jmp shell needs a client config (--client ALIAS, --client-config PATH or a current client), --exporter-config PATH, --exporter ALIAS or --tls-grpc HOST:PORT";

/** Defines `jmp shell [COMMAND...]`. */
export function shellCommand(): CommandUnknownOpts {
  return new Command("shell")
    .aliases(["sh", "s"])
    .description("Start a shell (or run COMMAND) connected to an exporter; `j` drives its devices")
    .argument("[command...]", "run this command instead of an interactive shell (put it after --)")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("--lease <name>", "use this existing lease (default: $JMP_LEASE)")
    .option("-l, --selector <selector>", "request a lease on an exporter matching SELECTOR (repeatable)", collect, [] as string[])
    .option("-n, --name <exporter>", "request a lease on this exporter")
    .option("--duration <duration>", "duration of a requested lease", "30m")
    .option("--acquisition-timeout <duration>", "how long to wait for the lease (at least 5 s)")
    .option("--dial-timeout <duration>", "how long to retry reaching the exporter (at least 5 s)")
    .option("--retry-timeout <duration>", "accepted for compatibility")
    .option("--exporter <alias>", "serve the exporter config saved as ALIAS locally")
    .option("--exporter-config <path>", "serve the exporter config in PATH locally")
    .option("--tls-grpc <host:port>", "connect directly to an exporter started with jmp run --tls-grpc-listener")
    .option("--tls-grpc-insecure", "with --tls-grpc: plaintext instead of TLS")
    .option("--passphrase <passphrase>", "with --tls-grpc: the exporter's passphrase")
    .option("--exporter-logs", "show the exporter's logs")
    .action(async (command, options) => {
      const commandArgs = command.length > 0 ? command : undefined;
      const local = options.exporter !== undefined || options.exporterConfig !== undefined;
      const remote = options.client !== undefined || options.clientConfig !== undefined;
      if (options.tlsGrpc !== undefined) {
        if (local) throw new UsageError("--tls-grpc cannot be combined with --exporter or --exporter-config");
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
      if (local && remote) throw new UsageError("use either an exporter config (local mode) or a client config, not both");
      if (local) {
        const loaded = await loadSelectedExporter(options);
        const { runLocalShell } = await import("../exporter/local-mode.js");
        process.exitCode = await runLocalShell(loaded!, {
          ...(commandArgs ? { command: commandArgs } : {}),
          warn: (line) => process.stderr.write(`Error: ${line}\n`),
        });
        return;
      }
      const [{ selectClientConfig, hasClientConfig }, { parseDuration }] = await Promise.all([
        import("../distributed/client-store.js"),
        import("../distributed/durations.js"),
      ]);
      if (!remote && !(await hasClientConfig())) throw new UsageError(NO_TARGET);
      const loaded = await selectClientConfig(options);
      const atLeast5s = (value: string | undefined, flag: string) => {
        if (value === undefined) return undefined;
        const ms = parseDuration(value, flag);
        if (ms < 5000) throw new UsageError(`${flag} must be at least 5 seconds`);
        return ms;
      };
      const acquisitionTimeoutMs = atLeast5s(options.acquisitionTimeout, "--acquisition-timeout");
      const dialTimeoutMs = atLeast5s(options.dialTimeout, "--dial-timeout");
      if (options.retryTimeout !== undefined) parseDuration(options.retryTimeout, "--retry-timeout");
      const { runRemoteShell } = await import("../distributed/remote-shell.js");
      process.exitCode = await runRemoteShell(loaded, {
        ...(options.lease !== undefined ? { lease: options.lease } : {}),
        ...(options.selector.length > 0 ? { selector: options.selector.join(",") } : {}),
        ...(options.name !== undefined ? { exporterName: options.name } : {}),
        durationMs: parseDuration(options.duration),
        ...(commandArgs ? { command: commandArgs } : {}),
        exporterLogs: options.exporterLogs ?? false,
        ...(acquisitionTimeoutMs !== undefined ? { acquisitionTimeoutMs } : {}),
        ...(dialTimeoutMs !== undefined ? { dialTimeoutMs } : {}),
      });
    });
}
