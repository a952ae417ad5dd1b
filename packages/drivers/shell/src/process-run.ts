/**
 * @module
 * Runs one command in its own process group and yields its output as it arrives. A timeout or an abort
 * terminates the whole group (SIGTERM, then SIGKILL after a grace period).
 */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { StringDecoder } from "node:string_decoder";
import type { ShellChunk } from "./interface.js";

/** What to run and for how long. */
export interface ProcessSpec {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string | undefined;
  readonly timeoutMs: number;
  /** Aborting terminates the process group and ends the output early. */
  readonly signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  /** Called with the child once spawned and again (with `false`) once it is gone. */
  readonly track?: (child: ChildProcess, running: boolean) => void;
}

/** How a run ended. */
export type ProcessEnd = { readonly kind: "exited"; readonly returncode: number } | { readonly kind: "timeout" };

/** Output kept in memory before the process is paused until the consumer catches up. */
const HIGH_WATER = 1 << 20;

/**
 * Yields `[stdout, stderr, null]` for output as it arrives and returns how the process ended. Output is
 * always delivered before the end, so the caller adds the final message.
 */
export async function* runProcess(spec: ProcessSpec): AsyncGenerator<ShellChunk, ProcessEnd | undefined> {
  const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
    cwd: spec.cwd ?? undefined,
    env: spec.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  let timedOut = false;
  const outDecoder = new StringDecoder("utf8");
  const errDecoder = new StringDecoder("utf8");
  const flowControl = () => {
    if (stdout.length + stderr.length > HIGH_WATER) {
      child.stdout?.pause();
      child.stderr?.pause();
    }
  };
  child.stdout!.on("data", (data: Buffer) => {
    stdout += outDecoder.write(data);
    flowControl();
    notify();
  });
  child.stderr!.on("data", (data: Buffer) => {
    stderr += errDecoder.write(data);
    flowControl();
    notify();
  });
  child.once("error", (error) => {
    spawnError = error;
    notify();
  });
  child.once("close", (code, signal) => {
    stdout += outDecoder.end();
    stderr += errDecoder.end();
    closed = { code, signal };
    spec.track?.(child, false);
    notify();
  });
  if (child.pid !== undefined) spec.track?.(child, true);
  const timer = setTimeout(() => {
    if (closed) return;
    timedOut = true;
    void terminateGroup(child, spec.graceMs);
    notify();
  }, spec.timeoutMs);
  const onAbort = () => notify();
  spec.signal.addEventListener("abort", onAbort);
  try {
    for (;;) {
      if (spawnError && child.pid === undefined) throw spawnError;
      if (stdout || stderr) {
        const chunk: ShellChunk = [stdout, stderr, null];
        stdout = "";
        stderr = "";
        child.stdout?.resume();
        child.stderr?.resume();
        yield chunk;
        continue;
      }
      if (closed) break;
      if (spec.signal.aborted) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (timedOut) return { kind: "timeout" };
    return { kind: "exited", returncode: returnCodeOf(closed) };
  } finally {
    clearTimeout(timer);
    spec.signal.removeEventListener("abort", onAbort);
    if (!closed) void terminateGroup(child, spec.graceMs);
  }
}

/** Python-style return code: the exit status, or minus the signal number. */
function returnCodeOf(end: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (end.code !== null) return end.code;
  const number = end.signal ? constants.signals[end.signal] : undefined;
  return number !== undefined ? -number : -1;
}

/**
 * Sends SIGTERM to the child's process group, SIGKILL after `graceMs` if it is still there, and resolves
 * once the child is gone.
 */
export async function terminateGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, "SIGKILL");
    return;
  }
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
  // The leader is gone; members that ignored SIGTERM may still hold the pipes.
  signalGroup(child, "SIGKILL");
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already empty.
  }
}
