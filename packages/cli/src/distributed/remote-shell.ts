/**
 * @module
 * `jmp shell` with a client config (spec exporter §8): get a lease, serve a local socket whose connections
 * are tunnelled to the exporter, wait until the exporter reports LEASE_READY (showing hook output), run the
 * shell or command with `JUMPSTARTER_HOST`, `JMP_EXPORTER`, `JMP_LEASE`, `JMP_EXPORTER_LABELS`, … and, for a
 * lease it created, end the session, wait for the exporter to be available again and release the lease.
 */
import { Code, ExporterConnection, ExporterStatus, LogSource } from "@jumpstarter/core";
import { CliError } from "../errors.js";
import { launchShell } from "../shell/launch.js";
import { createRuntimeDir } from "../shell/runtime-dir.js";
import { chooseLease, waitForLease } from "./acquire.js";
import { ControllerSession } from "./client-api.js";
import type { LoadedClientConfig } from "./client-config.js";
import { driversAllowValue } from "./client-config.js";
import type { LeaseListener } from "./lease-listener.js";
import { listenForLease } from "./lease-listener.js";
import { formatLabels, leaseExpiry, leaseView } from "./lease-view.js";
import { codeOf, messageOf, sleep } from "./retry.js";

/** Options of {@link runRemoteShell}. */
export interface RemoteShellOptions {
  readonly lease?: string;
  readonly selector?: string;
  readonly exporterName?: string;
  readonly durationMs: number;
  readonly command?: readonly string[];
  readonly exporterLogs?: boolean;
  /** Overrides of the client config's lease timeouts (ms). */
  readonly acquisitionTimeoutMs?: number;
  readonly dialTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const READY_TIMEOUT_MS = 300_000;

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Polls GetStatus through the tunnel until `accept` says yes; throws on a refusal or the timeout. */
async function waitForStatus(
  connection: ExporterConnection,
  listener: LeaseListener,
  accept: (status: ExporterStatus) => boolean,
  refuse: (status: ExporterStatus) => boolean,
  timeoutMs: number,
): Promise<{ status: ExporterStatus; message: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status;
    try {
      status = await connection.getStatus({ timeoutMs: 60_000 });
    } catch (error) {
      if (listener.lastError) throw listener.lastError;
      const code = codeOf(error);
      if (code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED) throw new CliError(`the exporter did not respond: ${messageOf(error)}`, 1, { cause: error });
      throw error;
    }
    const current = { status: status.status, message: status.message ?? "" };
    if (accept(current.status)) return current;
    if (refuse(current.status)) throw new CliError(`the exporter is not ready: ${current.message || ExporterStatus[current.status]}`);
    if (Date.now() > deadline) throw new CliError(`the exporter did not become ready within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(300);
  }
}

/** Runs the shell or command on a leased exporter; returns its exit code. */
export async function runRemoteShell(loaded: LoadedClientConfig, options: RemoteShellOptions): Promise<number> {
  const env = options.env ?? process.env;
  const session = new ControllerSession(loaded);
  const config = loaded.config;
  const interrupted = new AbortController();
  const onInterrupt = () => interrupted.abort();
  process.once("SIGINT", onInterrupt);
  let chosen: { name: string; created: boolean } | undefined;
  let listener: LeaseListener | undefined;
  let connection: ExporterConnection | undefined;
  const logs = new AbortController();
  const leaseEnded = new AbortController();
  let monitor: NodeJS.Timeout | undefined;
  const runtime = await createRuntimeDir(env);
  try {
    chosen = await chooseLease(session, {
      ...(options.lease ?? env["JMP_LEASE"] ? { lease: (options.lease ?? env["JMP_LEASE"])! } : {}),
      ...(options.selector ? { selector: options.selector } : {}),
      ...(options.exporterName ? { exporterName: options.exporterName } : {}),
      durationMs: options.durationMs,
    });
    const leaseName = chosen.name;
    if (chosen.created) say(`Created lease ${leaseName}`);
    const lease = await waitForLease(session, leaseName, {
      timeoutMs: options.acquisitionTimeoutMs ?? config.leases.acquisitionTimeout * 1000,
      signal: interrupted.signal,
      onWaiting: (message) => say(`Waiting for lease ${leaseName}: ${message}`),
    });
    say(`Acquired lease ${leaseName} on exporter ${lease.exporter}`);
    const exporter = await session.getExporter(lease.exporter).catch(() => undefined);
    listener = await listenForLease({
      session,
      leaseName,
      path: runtime.socket,
      dialTimeoutMs: options.dialTimeoutMs ?? config.leases.dialTimeout * 1000,
      onError: (error) => say(`Error: ${messageOf(error)}`),
    });
    connection = new ExporterConnection({ address: `unix:${runtime.socket}` });
    const activeConnection = connection;
    void (async () => {
      try {
        for await (const record of activeConnection.logStream({ signal: logs.signal })) {
          const hook = record.source === LogSource.BEFORE_LEASE_HOOK || record.source === LogSource.AFTER_LEASE_HOOK;
          if (hook || options.exporterLogs) say(record.message);
        }
      } catch {
        // Logs are best effort.
      }
    })();
    const ready = await waitForStatus(
      connection,
      listener,
      (status) => status === ExporterStatus.LEASE_READY,
      (status) => status === ExporterStatus.BEFORE_LEASE_HOOK_FAILED,
      READY_TIMEOUT_MS,
    );
    if (ready.message.startsWith("[HOOK_WARNING]")) say(ready.message);
    const interactive = !options.command || options.command.length === 0;
    if (interactive) {
      const report = await connection.getReport({ timeoutMs: 5000 }).catch(() => undefined);
      if (report?.motd) process.stdout.write(report.motd.endsWith("\n") ? report.motd : `${report.motd}\n`);
    }
    monitor = setInterval(() => {
      session.getLease(leaseName).then(
        (current) => {
          const view = leaseView(current);
          const expiry = leaseExpiry(view);
          if (view.effectiveEndTime || (expiry && expiry.getTime() <= Date.now())) leaseEnded.abort();
        },
        () => undefined,
      );
    }, 5000);
    const code = await launchShell({
      env: {
        ...env,
        PATH: `${runtime.bin}:${env["PATH"] ?? "/usr/bin:/bin"}`,
        JUMPSTARTER_HOST: runtime.socket,
        JMP_DRIVERS_ALLOW: driversAllowValue(config),
        _JMP_SUPPRESS_DRIVER_WARNINGS: "1",
        JMP_EXPORTER: lease.exporter,
        JMP_LEASE: leaseName,
        JMP_EXPORTER_LABELS: formatLabels(exporter ? { ...exporter.labels } : {}),
      },
      ...(options.command ? { command: options.command } : {}),
      context: lease.exporter,
      useProfiles: config.shell.useProfiles,
      hangup: leaseEnded.signal,
    });
    clearInterval(monitor);
    if (chosen.created && !leaseEnded.signal.aborted && !listener.lastError) await endSession(connection, listener);
    return code;
  } finally {
    clearInterval(monitor);
    process.off("SIGINT", onInterrupt);
    logs.abort();
    connection?.close();
    await listener?.close();
    if (chosen?.created && !leaseEnded.signal.aborted) {
      try {
        await session.deleteLease(chosen.name);
        say(`Released lease ${chosen.name}`);
      } catch (error) {
        if (!/already been released/.test(messageOf(error))) say(`Error: cannot release lease ${chosen.name}: ${messageOf(error)}`);
      }
    }
    session.close();
    await runtime.remove();
  }
}

/** EndSession, then wait (streaming hook logs) until the exporter is available again. */
async function endSession(connection: ExporterConnection, listener: LeaseListener): Promise<void> {
  try {
    const answer = await connection.endSession({ timeoutMs: 10_000 });
    if (!answer.success) return;
    await waitForStatus(
      connection,
      listener,
      (status) => status === ExporterStatus.AVAILABLE || status === ExporterStatus.AFTER_LEASE_HOOK_FAILED,
      () => false,
      READY_TIMEOUT_MS,
    );
  } catch (error) {
    say(`Warning: ending the session: ${messageOf(error)}`);
  }
}
