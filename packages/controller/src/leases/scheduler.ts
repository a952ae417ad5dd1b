/**
 * @module
 * The lease scheduler: runs {@link planPass} over the store whenever something relevant changes (lease
 * created/updated, exporter status/online/labels change, lease ended), when a begin or expiry time comes, and
 * periodically; writes the decisions with compare-and-set so several controller replicas can run it at once.
 */
import type { Store, StoreEvent } from "../store/store.js";
import { applyAction } from "./apply.js";
import { planPass } from "./plan.js";
import type { Plan } from "./plan.js";

/** Options of {@link LeaseScheduler}. */
export interface LeaseSchedulerOptions {
  /** The namespace whose leases this scheduler serves. */
  readonly namespace: string;
  /** Clock (tests pass a fake one). */
  readonly now?: () => Date;
  /** Interval of the safety-net full pass, in ms (default 5000). Liveness changes without events show up here. */
  readonly resyncMs?: number;
  /** Called with errors of a pass (the pass is retried at the next resync). */
  readonly onError?: (error: unknown) => void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Assigns exporters to leases and ends leases; see the module comment. */
export class LeaseScheduler {
  private readonly namespace: string;
  private readonly now: () => Date;
  private readonly resyncMs: number;
  private readonly onError: (error: unknown) => void;
  private unwatch: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = true;
  /** Whether the last pass left a lease waiting for an exporter. */
  private waiting = true;

  constructor(
    private readonly store: Store,
    options: LeaseSchedulerOptions,
  ) {
    this.namespace = options.namespace;
    this.now = options.now ?? (() => new Date());
    this.resyncMs = options.resyncMs ?? 5000;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Starts watching the store and runs a first pass (which also re-arms timers after a restart). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unwatch = this.store.watch((event) => this.onEvent(event));
    this.resyncTimer = setInterval(() => this.kick(), this.resyncMs);
    this.resyncTimer.unref();
    this.kick();
  }

  /** Stops watching and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
    clearInterval(this.resyncTimer);
    clearTimeout(this.wakeTimer);
    await this.running;
  }

  /** Requests a pass; passes never overlap, and requests during a pass coalesce into one more. */
  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop();
  }

  /** Resolves once no pass is running or requested (for tests and orderly shutdowns). */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  private onEvent(event: StoreEvent): void {
    if (event.namespace !== this.namespace || event.kind === "client") return;
    // Exporter changes (heartbeats mostly) only matter while some lease waits for an exporter.
    if (event.kind === "exporter" && !this.waiting) return;
    this.kick();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        try {
          await this.runOnce();
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Runs one pass now and returns what it decided. */
  async runOnce(): Promise<Plan> {
    const now = this.now();
    const [exporters, leases] = await Promise.all([
      this.store.listExporters(this.namespace),
      this.store.listLeases(this.namespace, { onlyActive: true }),
    ]);
    const plan = planPass(now, exporters.items, leases.items);
    this.waiting = plan.actions.some((action) => action.kind === "pending");
    for (const action of plan.actions) {
      const next = applyAction(action, now);
      if (next && !(await this.store.tryUpdateLease(next))) this.dirty = true;
    }
    this.arm(plan.wakeAt);
    return plan;
  }

  private arm(wakeAt: Date | undefined): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (!wakeAt || this.stopped) return;
    const delay = Math.min(Math.max(wakeAt.getTime() - this.now().getTime(), 0) + 5, MAX_TIMER_MS);
    this.wakeTimer = setTimeout(() => this.kick(), delay);
    this.wakeTimer.unref();
  }
}
