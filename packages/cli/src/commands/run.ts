/**
 * @module
 * `jmp run`: serve an exporter config through its controller (config `endpoint` + `token`), or directly over
 * TCP (`--tls-grpc-listener`) or a fixed unix socket.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { CliError, UsageError } from "../errors.js";
import type { LogFormat } from "../log.js";
import { logLevelOf, loadSelectedExporter } from "./options.js";

/** `[HOST:]PORT` → host and port (host defaults to 0.0.0.0). */
export function parseListener(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  const host = colon >= 0 ? value.slice(0, colon).replace(/^\[(.*)\]$/, "$1") : "0.0.0.0";
  const portText = colon >= 0 ? value.slice(colon + 1) : value;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--tls-grpc-listener expects [HOST:]PORT, got ${JSON.stringify(value)}`);
  return { host: host || "0.0.0.0", port };
}

/** Defines `jmp run`. */
export function runCommand(): CommandUnknownOpts {
  return new Command("run")
    .description("Run an exporter: serve its drivers to clients")
    .option("--exporter <alias>", "the exporter config saved as ALIAS")
    .option("--exporter-config <path>", "the exporter config in PATH")
    .option("--tls-grpc-listener <[host:]port>", "serve directly on TCP (no controller)")
    .option("--tls-grpc-insecure", "with --tls-grpc-listener: plaintext instead of TLS")
    .option("--tls-cert <file>", "with --tls-grpc-listener: server certificate (PEM)")
    .option("--tls-key <file>", "with --tls-grpc-listener: server private key (PEM)")
    .option("--passphrase <passphrase>", "require this passphrase from clients")
    .option("--unix-socket <path>", "serve directly on this unix socket (no controller)")
    .option("--exit-on-lease-end", "exit after one lease")
    .action(async (options, command) => {
      const globals = command.optsWithGlobals() as { logLevel?: string; logFormat?: string };
      if (options.tlsGrpcListener !== undefined && options.unixSocket !== undefined) {
        throw new UsageError("use either --tls-grpc-listener or --unix-socket, not both");
      }
      let tls: { cert: Buffer; key: Buffer } | undefined;
      let listen: { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };
      if (options.tlsGrpcListener !== undefined) {
        const insecure = options.tlsGrpcInsecure ?? false;
        const hasCert = options.tlsCert !== undefined || options.tlsKey !== undefined;
        if (insecure === hasCert) throw new UsageError("--tls-grpc-listener needs exactly one of --tls-grpc-insecure or --tls-cert with --tls-key");
        if (hasCert && (options.tlsCert === undefined || options.tlsKey === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
        if (hasCert) {
          const { readFile } = await import("node:fs/promises");
          const read = (file: string) =>
            readFile(file).catch((error: unknown) => {
              throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
            });
          tls = { cert: await read(options.tlsCert!), key: await read(options.tlsKey!) };
        }
        listen = { kind: "tcp", ...parseListener(options.tlsGrpcListener) };
      } else if (options.unixSocket !== undefined) {
        listen = { kind: "unix", path: options.unixSocket };
      } else {
        const loaded = await loadSelectedExporter(options);
        if (!loaded) throw new UsageError("jmp run needs --exporter ALIAS or --exporter-config PATH");
        if (!loaded.config.endpoint) {
          throw new UsageError("the exporter config has no endpoint: give --tls-grpc-listener [HOST:]PORT or --unix-socket PATH to serve without a controller");
        }
        const [{ runControllerExporter }, { createCliLogger }] = await Promise.all([import("../distributed/exporter.js"), import("../log.js")]);
        process.exitCode = await runControllerExporter(loaded, {
          logger: createCliLogger(logLevelOf(globals), (globals.logFormat ?? "auto") as LogFormat),
          exitOnLeaseEnd: options.exitOnLeaseEnd ?? false,
        });
        return;
      }
      const loaded = await loadSelectedExporter(options);
      if (!loaded) throw new UsageError("jmp run needs --exporter ALIAS or --exporter-config PATH");
      const [{ runDirect }, { createCliLogger }] = await Promise.all([import("../exporter/direct-mode.js"), import("../log.js")]);
      const format = (globals.logFormat ?? "auto") as LogFormat;
      process.exitCode = await runDirect(loaded, {
        listen: listen.kind === "tcp" && tls ? { ...listen, tls } : listen,
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        logger: createCliLogger(logLevelOf(globals), format),
      });
    });
}
