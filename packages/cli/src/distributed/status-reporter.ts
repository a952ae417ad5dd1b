/**
 * @module
 * ReportStatus from the exporter, "latest wins" (spec exporter §3): only the newest pending status is sent;
 * a status superseded while its call is retried is dropped. Retries only while the controller is away
 * (UNAVAILABLE / DEADLINE_EXCEEDED), backoff min(1 s · 2^n, 30 s), 21 attempts; UNIMPLEMENTED ends
 * reporting quietly.
 */
import { Code, ExporterStatus } from "@jumpstarter/core";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { backoff, codeOf, messageOf, sleep } from "./retry.js";
import type { RpcClient } from "./rpc.js";

/** One ReportStatus request. */
export interface StatusReport {
  readonly status: ExporterStatus;
  readonly message: string;
  readonly releaseLease?: boolean;
}

const ATTEMPTS = 21;
const CALL_TIMEOUT_MS = 30_000;

/** Sends status reports in order, keeping only the newest one waiting. */
export class StatusReporter {
  readonly #client: () => RpcClient;
  readonly #warn: (message: string) => void;
  #pending: StatusReport | undefined;
  #draining: Promise<void> | undefined;
  #unsupported = false;
  #generation = 0;
  readonly #stop = new AbortController();

  constructor(client: () => RpcClient, warn: (message: string) => void) {
    this.#client = client;
    this.#warn = warn;
  }

  /** Queues `report`, replacing any report not yet sent. */
  report(report: StatusReport): void {
    if (this.#unsupported) return;
    this.#pending = report;
    this.#generation++;
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Resolves once nothing is waiting to be sent. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /**
   * Sends one report now and waits for it (used for the final OFFLINE and for release fallbacks). `signal`
   * stops the retries, never a call in flight.
   */
  async send(report: StatusReport, options: { signal?: AbortSignal; attempts?: number } = {}): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client().unary(
          ControllerService.method.reportStatus,
          { status: report.status, message: report.message, ...(report.releaseLease !== undefined ? { releaseLease: report.releaseLease } : {}) },
          { timeoutMs: CALL_TIMEOUT_MS },
        );
        return;
      } catch (error) {
        const code = codeOf(error);
        const retryable = code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED;
        if (!retryable || attempt + 1 >= (options.attempts ?? ATTEMPTS) || options.signal?.aborted) throw error;
        await sleep(backoff(attempt, 1000, 30_000), options.signal);
      }
    }
  }

  /** Stops retrying; pending reports are dropped. */
  stop(): void {
    this.#pending = undefined;
    this.#stop.abort();
  }

  async #drain(): Promise<void> {
    while (this.#pending && !this.#stop.signal.aborted) {
      const report = this.#pending;
      this.#pending = undefined;
      const generation = this.#generation;
      const superseded = new AbortController();
      const onStop = () => superseded.abort();
      this.#stop.signal.addEventListener("abort", onStop, { once: true });
      const watch = setInterval(() => {
        if (this.#generation !== generation) superseded.abort();
      }, 100);
      try {
        await this.send(report, { signal: superseded.signal });
      } catch (error) {
        if (codeOf(error) === Code.UNIMPLEMENTED) {
          this.#unsupported = true;
          this.#pending = undefined;
        } else if (!superseded.signal.aborted) {
          this.#warn(`cannot report status ${ExporterStatus[report.status]}: ${messageOf(error)}`);
        }
      } finally {
        clearInterval(watch);
        this.#stop.signal.removeEventListener("abort", onStop);
      }
    }
  }
}
