/**
 * @module
 * Getting a lease for a shell (spec controller §5, "what the Python client does"): reuse `--lease` /
 * `JMP_LEASE`, create one from `-l` / `-n`, or pick the caller's only active lease; then poll until it is
 * Ready, showing the Pending message (with the queue position) while waiting.
 */
import { CliError, UsageError } from "../errors.js";
import type { ControllerSession } from "./client-api.js";
import type { LeaseView } from "./lease-view.js";
import { condition, leaseView } from "./lease-view.js";
import { sleep } from "./retry.js";

/** What the user asked for. */
export interface LeaseChoice {
  readonly lease?: string;
  readonly selector?: string;
  readonly exporterName?: string;
  readonly durationMs: number;
}

/** The lease to use and whether this process created it (and must release it). */
export interface ChosenLease {
  readonly name: string;
  readonly created: boolean;
}

/** Resolves {@link LeaseChoice} to a lease name, creating a lease when asked to. */
export async function chooseLease(session: ControllerSession, choice: LeaseChoice): Promise<ChosenLease> {
  if (choice.lease) {
    const view = leaseView(await session.getLease(choice.lease));
    if (view.effectiveEndTime) throw new CliError(`lease ${view.name} has already ended`);
    if (view.client !== session.name) throw new CliError(`lease ${view.name} belongs to client ${view.client}, not ${session.name}`);
    if (!choice.selector || choice.selector === view.selector) return { name: view.name, created: false };
  }
  if (choice.selector || choice.exporterName) {
    const lease = await session.createLease({
      ...(choice.selector ? { selector: choice.selector } : {}),
      ...(choice.exporterName ? { exporterName: choice.exporterName } : {}),
      durationMs: choice.durationMs,
    });
    return { name: leaseView(lease).name, created: true };
  }
  const mine = (await session.listLeases({ onlyActive: true })).map(leaseView).filter((view) => view.client === session.name && !view.effectiveEndTime);
  if (mine.length === 1) return { name: mine[0]!.name, created: false };
  if (mine.length === 0) throw new UsageError("no lease to use: give --selector/-l or --name/-n to request one, or --lease NAME");
  throw new UsageError(`you hold several leases (${mine.map((view) => view.name).join(", ")}): choose one with --lease NAME`);
}

/** Options of {@link waitForLease}. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Called when the Pending message changes (it carries the queue position). */
  readonly onWaiting?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** The queue position in a Pending message (`… (position N in queue)`), if any. */
export function queuePosition(message: string): number | undefined {
  const match = /position (\d+) in (?:the )?queue/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** Polls the lease until it is Ready; fails on Unsatisfiable, Invalid, an end, or the timeout. */
export async function waitForLease(session: ControllerSession, name: string, options: WaitOptions): Promise<LeaseView> {
  const deadline = Date.now() + options.timeoutMs;
  let shown = "";
  for (;;) {
    const view = leaseView(await session.getLease(name));
    if (condition(view, "Ready")?.status === "True" && !view.effectiveEndTime) return view;
    for (const type of ["Unsatisfiable", "Invalid"]) {
      const found = condition(view, type);
      if (found?.status === "True") throw new CliError(`lease ${name} is ${type.toLowerCase()}: ${found.reason ?? ""}${found.message ? `: ${found.message}` : ""}`);
    }
    const ready = condition(view, "Ready");
    if (view.effectiveEndTime || ready?.status === "False") {
      throw new CliError(`lease ${name} ended before it was ready${ready?.message ? `: ${ready.message}` : ""}`);
    }
    const pending = condition(view, "Pending");
    if (pending?.status === "False") throw new CliError(`lease ${name}: ${pending.message || "no longer pending"}`);
    const message = pending?.message || "waiting for an exporter";
    if (message !== shown) {
      shown = message;
      options.onWaiting?.(message);
    }
    if (Date.now() >= deadline) throw new CliError(`lease ${name} was not acquired within ${Math.round(options.timeoutMs / 1000)} s (${message})`);
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
    if (options.signal?.aborted) throw new CliError("cancelled while waiting for the lease", 2);
  }
}
