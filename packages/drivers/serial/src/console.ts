/**
 * @module
 * An expect-style adapter over a serial byte stream, for tests that drive a device console:
 * `await console.expect(/login:/)`, `await console.sendline("root")`.
 */
import type { Duplex } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { ConnectionError, DeadlineExceededError } from "@jumpstarter/core";

/** Options of {@link SerialConsole}. */
export interface SerialConsoleOptions {
  /** Appended by {@link SerialConsole.sendline}; `"\n"` unless the device wants `"\r"` or `"\r\n"`. */
  readonly lineEnding?: string;
  /** Default timeout of {@link SerialConsole.expect} in milliseconds (30 000). */
  readonly timeoutMs?: number;
  /** Lines of recent output quoted in timeout errors (20). */
  readonly contextLines?: number;
}

/** Options of one {@link SerialConsole.expect} call. */
export interface ExpectOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** What {@link SerialConsole.expect} found. */
export interface ExpectResult {
  /** The matched text. */
  readonly match: string;
  /** Capture groups of a regular expression pattern (empty for a string pattern). */
  readonly groups: readonly (string | undefined)[];
  /** Output between the previous match and this one. */
  readonly before: string;
}

const transcriptLimit = 256 * 1024;

/** Reads a console as text and waits for patterns in it. Output is consumed up to the end of each match. */
export class SerialConsole implements AsyncDisposable {
  readonly #stream: Duplex;
  readonly #decoder = new StringDecoder("utf8");
  readonly #lineEnding: string;
  readonly #timeoutMs: number;
  readonly #contextLines: number;
  #pending = "";
  #transcript = "";
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(stream: Duplex, options: SerialConsoleOptions = {}) {
    this.#stream = stream;
    this.#lineEnding = options.lineEnding ?? "\n";
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#contextLines = options.contextLines ?? 20;
    stream.on("data", (chunk: Buffer) => this.#append(this.#decoder.write(chunk)));
    stream.once("end", () => {
      this.#append(this.#decoder.end());
      this.#ended = true;
      this.#notify();
    });
    stream.once("error", (error) => {
      this.#failure = error;
      this.#notify();
    });
    stream.once("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /** Everything received so far (the last 256 KiB). */
  get transcript(): string {
    return this.#transcript;
  }

  /** Waits until `pattern` appears in the output not yet consumed by an earlier match. */
  async expect(pattern: string | RegExp, options: ExpectOptions = {}): Promise<ExpectResult> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.#search(pattern);
      if (found) return found;
      if (this.#failure) throw new ConnectionError(`serial console failed while waiting for ${describe(pattern)}: ${this.#failure.message}${this.#context()}`, { cause: this.#failure });
      if (this.#ended) throw new ConnectionError(`serial console closed while waiting for ${describe(pattern)}${this.#context()}`);
      options.signal?.throwIfAborted();
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new DeadlineExceededError(`timed out after ${timeoutMs} ms waiting for ${describe(pattern)}${this.#context()}`);
      }
      await this.#waitForData(remaining, options.signal);
    }
  }

  /** Writes text or bytes to the port. */
  async send(data: string | Uint8Array): Promise<void> {
    if (this.#stream.destroyed || this.#stream.writableEnded) throw new ConnectionError("serial console is closed");
    await new Promise<void>((resolve, reject) => {
      this.#stream.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes `line` followed by the line ending. */
  async sendline(line = ""): Promise<void> {
    await this.send(line + this.#lineEnding);
  }

  /** Closes the connection to the port. */
  async close(): Promise<void> {
    if (this.#stream.closed) return;
    const closed = new Promise<void>((resolve) => this.#stream.once("close", () => resolve()));
    this.#stream.destroy();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #append(text: string): void {
    if (text.length === 0) return;
    this.#pending += text;
    this.#transcript = (this.#transcript + text).slice(-transcriptLimit);
    if (this.#pending.length > transcriptLimit * 4) this.#pending = this.#pending.slice(-transcriptLimit * 4);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #search(pattern: string | RegExp): ExpectResult | undefined {
    let index: number;
    let match: string;
    let groups: (string | undefined)[] = [];
    if (typeof pattern === "string") {
      index = this.#pending.indexOf(pattern);
      if (index < 0) return undefined;
      match = pattern;
    } else {
      const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
      const result = regex.exec(this.#pending);
      if (!result) return undefined;
      index = result.index;
      match = result[0];
      groups = result.slice(1);
    }
    const before = this.#pending.slice(0, index);
    this.#pending = this.#pending.slice(index + match.length);
    return { match, groups, before };
  }

  #waitForData(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  #context(): string {
    const lines = this.#transcript.split(/\r?\n|\r/);
    const tail = lines.slice(-this.#contextLines);
    if (tail.every((line) => line.length === 0)) return "; no output received";
    return `; last ${tail.length} line(s) of output:\n${tail.map((line) => `  | ${line}`).join("\n")}`;
  }
}

function describe(pattern: string | RegExp): string {
  return typeof pattern === "string" ? JSON.stringify(pattern) : String(pattern);
}
