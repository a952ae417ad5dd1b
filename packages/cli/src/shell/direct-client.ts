/**
 * @module
 * The client side of direct mode (spec exporter §9): `jmp shell --tls-grpc HOST:PORT`. Waits until the
 * exporter is ready (showing hook output), prints the motd, then starts the shell with the environment `j`
 * needs to reach the exporter itself.
 */
import { Code, ExporterConnection, ExporterStatus, LogSource } from "@jumpstarter/core";
import { CliError } from "../errors.js";
import { isTcpAddress, PASSPHRASE_METADATA } from "../j/host.js";
import { launchShell } from "./launch.js";
import { createRuntimeDir } from "./runtime-dir.js";

/** Options of {@link runDirectShell}. */
export interface DirectShellOptions {
  readonly address: string;
  readonly insecure: boolean;
  readonly passphrase?: string;
  readonly command?: readonly string[];
  /** Show every exporter log line, not only hook output. */
  readonly exporterLogs?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Longest wait for LEASE_READY, in ms. */
  readonly readyTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitReady(connection: ExporterConnection, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status;
    try {
      status = await connection.getStatus({ timeoutMs: 10_000 });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED) throw new CliError("Exporter did not respond to initial connection", 1, { cause: error });
      throw error;
    }
    if (status.status === ExporterStatus.LEASE_READY) return status.message ?? "";
    if (status.status === ExporterStatus.BEFORE_LEASE_HOOK_FAILED) {
      throw new CliError(`the exporter is not ready: ${status.message || "beforeLease hook failed"}`);
    }
    if (Date.now() > deadline) throw new CliError(`the exporter did not become ready within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(300);
  }
}

/** Connects, waits for readiness, runs the shell or command; returns its exit code. */
export async function runDirectShell(options: DirectShellOptions): Promise<number> {
  if (!isTcpAddress(options.address)) throw new CliError(`--tls-grpc expects HOST:PORT, got ${JSON.stringify(options.address)}`, 2);
  const env = options.env ?? process.env;
  const connection = new ExporterConnection({
    address: options.address,
    ...(options.insecure ? {} : { tls: {} }),
    ...(options.passphrase !== undefined ? { metadata: { [PASSPHRASE_METADATA]: options.passphrase } } : {}),
  });
  const logs = new AbortController();
  const runtime = await createRuntimeDir(env);
  try {
    void (async () => {
      try {
        for await (const record of connection.logStream({ signal: logs.signal })) {
          const hook = record.source === LogSource.BEFORE_LEASE_HOOK || record.source === LogSource.AFTER_LEASE_HOOK;
          if (hook || options.exporterLogs) process.stderr.write(`${record.message}\n`);
        }
      } catch {
        // Logs are best effort; the shell works without them.
      }
    })();
    const message = await waitReady(connection, options.readyTimeoutMs ?? 300_000);
    if (message.startsWith("[HOOK_WARNING]")) process.stderr.write(`${message}\n`);
    const interactive = !options.command || options.command.length === 0;
    if (interactive) {
      const report = await connection.getReport({ timeoutMs: 5000 }).catch(() => undefined);
      if (report?.motd) process.stdout.write(report.motd.endsWith("\n") ? report.motd : `${report.motd}\n`);
    }
    return await launchShell({
      env: {
        ...env,
        PATH: `${runtime.bin}:${env["PATH"] ?? "/usr/bin:/bin"}`,
        JUMPSTARTER_HOST: options.address,
        JMP_DRIVERS_ALLOW: "UNSAFE",
        _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
        JMP_EXPORTER: "direct",
        JMP_LEASE: "direct",
        ...(options.insecure ? { JMP_GRPC_INSECURE: "1" } : {}),
        ...(options.passphrase !== undefined ? { JMP_GRPC_PASSPHRASE: options.passphrase } : {}),
      },
      ...(options.command ? { command: options.command } : {}),
      context: "direct",
    });
  } finally {
    logs.abort();
    connection.close();
    await runtime.remove();
  }
}
