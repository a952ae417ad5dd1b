/**
 * @module
 * The C-core counterpart of {@link RawReplayClient}: raw recorded requests sent through grpcio (gRPC C-core, the
 * stack of the reference Python client) by one long-lived `/usr/bin/python3` child running `grpc_replay.py`,
 * spoken to in JSON lines. Needs Debian's `python3-grpcio`. Test support only.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import type { RawResult } from "./raw-replay.js";

/** Debian's Python, which has `python3-grpcio`; the first `python3` on PATH may not. */
export const PYTHON = "/usr/bin/python3";

/** The Python side, kept in `src/` and found from the compiled file (`dist/vectors/` → `src/vectors/`). */
export const GRPC_REPLAY_PY = fileURLToPath(new URL("../../src/vectors/grpc_replay.py", import.meta.url));

let problem: string | null | undefined;

/** Throws, saying what to install, unless `/usr/bin/python3` can import grpc and the script is in place. */
export function assertPythonGrpc(): void {
  problem ??= findProblem();
  if (problem) throw new Error(problem);
}

function findProblem(): string | null {
  if (!existsSync(GRPC_REPLAY_PY)) return `the C-core replay script is missing: ${GRPC_REPLAY_PY}`;
  const probe = spawnSync(PYTHON, ["-c", "import grpc"], { encoding: "utf8" });
  if (!probe.error && probe.status === 0) return null;
  const why = probe.error ? probe.error.message : probe.stderr.trim().split("\n").at(-1);
  return `these tests need gRPC C-core for Python: install the Debian package python3-grpcio (apt-get install python3-grpcio; .ci/run does) so that \`${PYTHON} -c "import grpc"\` works (${why})`;
}

/** A replayed call as grpcio saw it. */
export interface PythonResult extends RawResult {
  readonly trailerKeys: string[];
}

/** A lock-step bidi call: request i sent, response i read, and so on; cancelled at the end as the reference does. */
export interface LockstepResult extends PythonResult {
  /** Why fewer responses than requests came back, if they did. */
  readonly error: string | null;
}

/** A bulk echo through a raw stream. */
export interface EchoResult {
  readonly sentBytes: number;
  readonly receivedBytes: number;
  readonly sentSha256: string;
  readonly receivedSha256: string;
  /** StreamResponse messages read. */
  readonly frames: number;
  /** Whether a GOAWAY frame came back. */
  readonly goaway: boolean;
  readonly error: string | null;
  /** Final status of the call (CANCELLED if the client had to cancel it). */
  readonly code: number;
  readonly details: string;
  readonly seconds: number;
}

type Metadata = Readonly<Record<string, string>>;

interface WireResult {
  readonly code: number;
  readonly details: string;
  readonly headerKeys: string[];
  readonly trailerKeys: string[];
  readonly responses: string[];
}

/** Without python3-grpcio nothing is skipped: the test fails saying what to install. */
export function ccoreIt(name: string, fn: () => Promise<void>): void {
  it(name, async () => {
    assertPythonGrpc();
    await fn();
  });
}

/** Whether `/usr/bin/python3` can import grpc (setup is left out when it cannot; {@link ccoreIt} then fails). */
export function hasPythonGrpc(): boolean {
  try {
    assertPythonGrpc();
    return true;
  } catch {
    return false;
  }
}

/** Watches a Python child: a promise of its exit, and the tail of its stderr (echoed when GRPC_TRACE is set). */
export function watchChild(child: ChildProcessByStdio<Writable, Readable, Readable>): { readonly exited: Promise<unknown>; stderr(): string } {
  let stderr = "";
  const exited = new Promise((resolve) => {
    child.once("exit", resolve);
    child.once("error", resolve);
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr = (stderr + text).slice(-20_000);
    if (process.env["GRPC_TRACE"]) process.stderr.write(text);
  });
  child.stdin.on("error", () => {});
  return { exited, stderr: () => stderr };
}

/** One `/usr/bin/python3 grpc_replay.py <target>` process with one grpcio channel to `address`. */
export class PythonReplayClient {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #watch: ReturnType<typeof watchChild>;
  #nextId = 1;
  #gone: Error | undefined;

  private constructor(child: ChildProcessByStdio<Writable, Readable, Readable>) {
    this.#child = child;
    this.#watch = watchChild(child);
    child.on("exit", (code, signal) => this.#fail(new Error(`grpc_replay.py exited (${signal ?? code}); stderr:\n${this.#watch.stderr()}`)));
    child.on("error", (error) => this.#fail(new Error(`grpc_replay.py: ${error.message}`)));
  }

  #fail(error: Error): void {
    this.#gone ??= error;
    for (const { reject } of this.#pending.values()) reject(this.#gone);
    this.#pending.clear();
  }

  /**
   * Starts the child and waits until grpcio is imported and the channel made; with `rootCertPath`, the channel
   * is TLS to `address` (host:port) trusting that PEM certificate.
   */
  static async start(address: string, rootCertPath?: string): Promise<PythonReplayClient> {
    assertPythonGrpc();
    const args = ["-u", GRPC_REPLAY_PY, address, ...(rootCertPath !== undefined ? [rootCertPath] : [])];
    const child = spawn(PYTHON, args, { stdio: ["pipe", "pipe", "pipe"] });
    const client = new PythonReplayClient(child);
    const ready = client.#expect(0);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => client.#onLine(line));
    await ready;
    return client;
  }

  #onLine(line: string): void {
    const message = JSON.parse(line) as { id?: number; ready?: string; result?: unknown; failure?: string };
    const id = message.ready !== undefined ? 0 : message.id!;
    const waiter = this.#pending.get(id);
    if (!waiter) return;
    this.#pending.delete(id);
    if (message.failure !== undefined) waiter.reject(new Error(`grpc_replay.py: ${message.failure}`));
    else waiter.resolve(message.result ?? message.ready);
  }

  #expect(id: number): Promise<unknown> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  #request(op: string, fields: Record<string, unknown>): Promise<unknown> {
    const id = this.#nextId++;
    const answer = this.#expect(id);
    if (!this.#gone) this.#child.stdin.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    return answer;
  }

  /** A unary or server-streaming call with one raw request. */
  async call(path: string, request: Buffer, streaming: boolean, metadata: Metadata = {}): Promise<PythonResult> {
    const result = (await this.#request(streaming ? "server_stream" : "unary", {
      path,
      request: request.toString("base64"),
      metadata: Object.entries(metadata),
    })) as WireResult;
    return decode(result);
  }

  /**
   * A bidi call in lock step: writes `requests[i]`, reads one response, and so on, half-closing right after
   * `requests[halfCloseAfter]`; then cancels the call, as the reference client does.
   */
  async lockstep(path: string, metadata: Metadata, requests: readonly Buffer[], halfCloseAfter: number): Promise<LockstepResult> {
    const result = (await this.#request("lockstep", {
      path,
      metadata: Object.entries(metadata),
      requests: requests.map((bytes) => bytes.toString("base64")),
      halfCloseAfter,
    })) as WireResult & { error: string | null };
    return { ...decode(result), error: result.error };
  }

  /**
   * Writes `total` random bytes to the raw stream `path` opens as DATA frames of `chunk` bytes (then GOAWAY and
   * half-close) while reading the echo concurrently; hashes both directions.
   */
  async echo(path: string, metadata: Metadata, total: number, chunk: number, timeoutSeconds = 120): Promise<EchoResult> {
    return (await this.#request("echo", { path, metadata: Object.entries(metadata), total, chunk, timeout: timeoutSeconds })) as EchoResult;
  }

  /** Closes the channel and waits for the child to exit. */
  async close(): Promise<void> {
    if (!this.#gone) this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
    try {
      await this.#watch.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function decode(result: WireResult): PythonResult {
  return {
    code: result.code,
    details: result.details,
    headerKeys: result.headerKeys,
    trailerKeys: result.trailerKeys,
    responses: result.responses.map((text) => Buffer.from(text, "base64")),
  };
}
