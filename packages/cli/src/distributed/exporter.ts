/**
 * @module
 * `jmp run` with a controller (spec exporter §3): register with the reports of a throw-away session, report
 * AVAILABLE, ask for service endpoints, then follow the Status stream — a {@link LeaseSession} per lease.
 * When the controller goes away the exporter keeps its current lease and reconnects with backoff
 * (re-registering, re-reporting its status). SIGINT/SIGTERM/SIGQUIT stop at once, SIGHUP after the current
 * lease; both report OFFLINE and unregister (bounded by 10 s).
 */
import { constants } from "node:os";
import type { DriverInstanceReport, StatusResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { Code, ExporterSession, ExporterStatus, NAME_LABEL, StatusMachine } from "@jumpstarter/core";
import type { LoadedExporterConfig } from "../config/load.js";
import { buildDriverTree } from "../exporter/build-tree.js";
import type { CliLogger } from "../log.js";
import type { ControllerAccess } from "./controller.js";
import { controllerAccess, controllerClient } from "./controller.js";
import { LeaseSession } from "./lease-session.js";
import { backoff, codeOf, isTransient, messageOf, sleep } from "./retry.js";
import type { RpcClient } from "./rpc.js";
import { StatusReporter } from "./status-reporter.js";

/** Options of {@link runControllerExporter}. */
export interface ControllerExporterOptions {
  readonly logger: CliLogger;
  /** Exit after the first lease ends (`--exit-on-lease-end` / `exitOnLeaseEnd`). */
  readonly exitOnLeaseEnd?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the exporter like SIGTERM (for embedding). */
  readonly signal?: AbortSignal;
}

const stopNowSignals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGQUIT"];
const SHUTDOWN_BUDGET_MS = 10_000;
/** Errors that mean this exporter may not use the controller at all: retrying cannot help. */
const fatalCodes: ReadonlySet<Code> = new Set([Code.UNAUTHENTICATED, Code.PERMISSION_DENIED, Code.INVALID_ARGUMENT, Code.NOT_FOUND]);

/** Runs the exporter against its controller until stopped; returns the exit code. */
export async function runControllerExporter(loaded: LoadedExporterConfig, options: ControllerExporterOptions): Promise<number> {
  const { config } = loaded;
  const access = controllerAccess(`exporter config ${loaded.path}`, "Exporter", {
    endpoint: config.endpoint,
    token: config.token,
    namespace: config.metadata.namespace,
    name: config.metadata.name,
    tls: config.tls,
    grpcOptions: config.grpcOptions,
  });
  return new ControllerExporter(loaded, access, options).run();
}

class ControllerExporter {
  readonly #loaded: LoadedExporterConfig;
  readonly #access: ControllerAccess;
  readonly #options: ControllerExporterOptions;
  readonly #logger: CliLogger;
  readonly #status = new StatusMachine(ExporterStatus.AVAILABLE, "");
  readonly #reporter: StatusReporter;
  readonly #labels: Record<string, string>;
  /** Aborts on a stop-now signal. */
  readonly #stopNow = new AbortController();
  /** Aborts when the exporter should stop once no lease is active. */
  readonly #stopAfterLease = new AbortController();
  #stopSignal: NodeJS.Signals | undefined;
  #lease: LeaseSession | undefined;
  #leases: Promise<void> = Promise.resolve();
  #leasesServed = 0;
  #exitCode = 0;
  #compatRelease = false;
  #failures: number[] = [];

  constructor(loaded: LoadedExporterConfig, access: ControllerAccess, options: ControllerExporterOptions) {
    this.#loaded = loaded;
    this.#access = access;
    this.#options = options;
    this.#logger = options.logger;
    this.#labels = { [NAME_LABEL]: loaded.config.metadata.name };
    this.#reporter = new StatusReporter(() => this.#client(), (message) => this.#logger.log("WARNING", message));
  }

  /** A fresh controller client (a new channel per attempt, as the reference does). */
  #client(): RpcClient {
    return controllerClient(this.#access);
  }

  async #call<T>(fn: (client: RpcClient) => Promise<T>): Promise<T> {
    const client = this.#client();
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  async run(): Promise<number> {
    const onStopNow = (signal: NodeJS.Signals) => {
      this.#stopSignal ??= signal;
      this.#logger.log("INFO", `received ${signal}, shutting down`);
      this.#stopNow.abort();
      this.#stopAfterLease.abort();
    };
    const onHangup = () => {
      this.#stopSignal ??= "SIGHUP";
      this.#logger.log("INFO", "received SIGHUP, stopping after the current lease");
      this.#stopAfterLease.abort();
      if (!this.#lease) this.#stopNow.abort();
    };
    for (const signal of stopNowSignals) process.on(signal, onStopNow);
    process.on("SIGHUP", onHangup);
    const external = () => onStopNow("SIGTERM");
    this.#options.signal?.addEventListener("abort", external, { once: true });
    const unsubscribe = this.#status.subscribe((snapshot) => this.#reporter.report({ status: snapshot.status, message: snapshot.message }));
    try {
      const reports = await this.#probeReports();
      await this.#serve(reports);
    } catch (error) {
      this.#logger.log("ERROR", messageOf(error));
      if (this.#exitCode === 0) this.#exitCode = 1;
    } finally {
      await this.#lease?.close();
      unsubscribe();
      await this.#shutdown();
      for (const signal of stopNowSignals) process.off(signal, onStopNow);
      process.off("SIGHUP", onHangup);
      this.#options.signal?.removeEventListener("abort", external);
    }
    if (this.#exitCode === 0 && this.#stopSignal && this.#stopSignal !== "SIGHUP") return 128 + constants.signals[this.#stopSignal];
    return this.#exitCode;
  }

  /** The reports of a throw-away session over the configured drivers (what Register announces). */
  async #probeReports(): Promise<DriverInstanceReport[]> {
    const root = await buildDriverTree(this.#loaded);
    const session = new ExporterSession({ root, labels: this.#labels });
    try {
      return session.report().reports;
    } finally {
      await session.close();
    }
  }

  /** Register and follow the Status stream; on connection loss start over with backoff. */
  async #serve(reports: DriverInstanceReport[]): Promise<void> {
    const stop = this.#stopNow.signal;
    let attempt = 0;
    let first = true;
    while (!stop.aborted) {
      try {
        await this.#call((client) => client.unary(ControllerService.method.register, { labels: this.#labels, reports }, { timeoutMs: 30_000, signal: stop }));
        if (first) {
          this.#status.set(ExporterStatus.AVAILABLE, "Exporter registered and available");
          await this.#serviceEndpoints();
          first = false;
        } else {
          const current = this.#status.current;
          this.#reporter.report({ status: current.status, message: current.message });
        }
        this.#logger.log("INFO", `registered with ${this.#access.endpoint.address} as ${this.#access.identity.namespace}/${this.#access.identity.name}`);
        attempt = 0;
        await this.#followStatus();
      } catch (error) {
        if (stop.aborted) return;
        if (!isTransient(error)) {
          if (first || fatalCodes.has(codeOf(error) ?? Code.UNKNOWN)) throw error;
          this.#countFailure(error);
        }
        this.#logger.log("WARNING", `controller ${this.#access.endpoint.address} unreachable: ${messageOf(error)}; retrying`);
      }
      if (stop.aborted || this.#finished()) return;
      await sleep(backoff(attempt++, 500, 5000), stop);
    }
  }

  /**
   * Counts a failure that is not the controller being away (`failureDetection`): too many within the window
   * and the exporter gives up, as the reference supervisor does.
   */
  #countFailure(error: unknown): void {
    const { maxRapidFailures, rapidFailureWindow } = this.#loaded.config.failureDetection;
    const now = Date.now();
    this.#failures = [...this.#failures.filter((time) => now - time < rapidFailureWindow * 1000), now];
    if (this.#failures.length >= maxRapidFailures) {
      throw new Error(`giving up after ${this.#failures.length} failures within ${rapidFailureWindow} s: ${messageOf(error)}`, { cause: error });
    }
  }

  async #serviceEndpoints(): Promise<void> {
    try {
      await this.#call((client) => client.unary(ControllerService.method.getServiceEndpoints, {}, { timeoutMs: 30_000, signal: this.#stopNow.signal }));
    } catch (error) {
      if (codeOf(error) !== Code.UNIMPLEMENTED) this.#logger.log("DEBUG", `GetServiceEndpoints: ${messageOf(error)}`);
    }
  }

  /** Whether the exporter is done (a stop after the lease, or one lease served with exit-on-lease-end). */
  #finished(): boolean {
    if (this.#lease) return false;
    const exitOnLeaseEnd = this.#options.exitOnLeaseEnd || this.#loaded.config.exitOnLeaseEnd;
    return this.#stopAfterLease.signal.aborted || this.#exitCode !== 0 || (exitOnLeaseEnd === true && this.#leasesServed > 0);
  }

  /**
   * Reads the Status stream, reconnecting up to 5 times in a row (0.5 s after UNAVAILABLE, else 1 s); returns
   * when the exporter is finished, throws when reconnecting failed.
   */
  async #followStatus(): Promise<void> {
    const done = new AbortController();
    const stop = AbortSignal.any([this.#stopNow.signal, done.signal]);
    let failures = 0;
    for (;;) {
      let lastError: unknown = new Error("the Status stream ended");
      const client = this.#client();
      try {
        for await (const update of client.serverStream(ControllerService.method.status, {}, { signal: stop })) {
          failures = 0;
          this.#leases = this.#leases.then(() => this.#onStatus(update)).then(() => {
            if (this.#finished()) done.abort();
          });
        }
      } catch (error) {
        lastError = error;
      } finally {
        client.close();
      }
      if (stop.aborted) {
        await this.#leases;
        return;
      }
      if (++failures >= 5) throw lastError;
      const text = messageOf(lastError);
      await sleep(/Stream removed|UNAVAILABLE/i.test(text) || codeOf(lastError) === Code.UNAVAILABLE ? 500 : 1000, stop);
    }
  }

  async #onStatus(update: StatusResponse): Promise<void> {
    const leaseName = update.leaseName ?? "";
    if (this.#lease && (!update.leased || (leaseName && leaseName !== this.#lease.name))) {
      await this.#endLease();
    }
    if (update.leased && leaseName && !this.#lease && !this.#stopAfterLease.signal.aborted) {
      const lease = new LeaseSession(leaseName, update.clientName ?? "", {
        loaded: this.#loaded,
        status: this.#status,
        labels: this.#labels,
        controller: () => this.#client(),
        release: (name) => this.#release(name),
        logger: this.#logger,
        ...(this.#options.env ? { env: this.#options.env } : {}),
      });
      this.#lease = lease;
      await lease.open();
    }
    if (update.leased && this.#lease && update.clientName) this.#lease.clientName = update.clientName;
  }

  async #endLease(): Promise<void> {
    const lease = this.#lease!;
    await lease.end();
    await lease.close();
    this.#lease = undefined;
    this.#leasesServed++;
    if (lease.exitRequested) this.#exitCode = 1;
    if (this.#stopAfterLease.signal.aborted && !this.#stopNow.signal.aborted) this.#stopNow.abort();
    await sleep(200);
  }

  /** ReleaseLease, or the compat ReportStatus with release_lease for controllers that refuse it. */
  async #release(name: string): Promise<void> {
    if (!this.#compatRelease) {
      try {
        for (let attempt = 0; ; attempt++) {
          try {
            await this.#call((client) => client.unary(ControllerService.method.releaseLease, { name }, { timeoutMs: 30_000 }));
            return;
          } catch (error) {
            const code = codeOf(error);
            if ((code !== Code.UNAVAILABLE && code !== Code.DEADLINE_EXCEEDED) || attempt >= 20) throw error;
            await sleep(backoff(attempt, 1000, 30_000), this.#stopNow.signal);
            if (this.#stopNow.signal.aborted) throw error;
          }
        }
      } catch (error) {
        const code = codeOf(error);
        const compat = code === Code.PERMISSION_DENIED || code === Code.INVALID_ARGUMENT || code === Code.UNAUTHENTICATED || code === Code.UNIMPLEMENTED;
        if (!compat) throw error;
        this.#compatRelease = true;
      }
    }
    const current = this.#status.current.status;
    await this.#reporter.send({
      status: current === ExporterStatus.AVAILABLE ? ExporterStatus.AFTER_LEASE_HOOK : current,
      message: "Lease released (compat: ReportStatus with release_lease)",
      releaseLease: true,
    });
  }

  /** OFFLINE then Unregister, within the shutdown budget. */
  async #shutdown(): Promise<void> {
    this.#reporter.stop();
    const budget = AbortSignal.timeout(SHUTDOWN_BUDGET_MS);
    const deadline = Date.now() + SHUTDOWN_BUDGET_MS;
    const remaining = () => Math.max(1, deadline - Date.now());
    try {
      await this.#call((client) =>
        client.unary(ControllerService.method.reportStatus, { status: ExporterStatus.OFFLINE, message: "Exporter shutting down" }, { timeoutMs: remaining(), signal: budget }),
      );
      await this.#call((client) => client.unary(ControllerService.method.unregister, { reason: "Exporter shutdown" }, { timeoutMs: remaining(), signal: budget }));
      this.#logger.log("INFO", "unregistered");
    } catch (error) {
      this.#logger.log("WARNING", `cannot unregister: ${messageOf(error)}`);
    }
  }
}
