/**
 * @module
 * Reading a byte stream in test-sized steps without consuming (and destroying) it with `for await`.
 */
import type { Readable } from "node:stream";

/** Collects what a stream emits and hands it out by length or until the end. */
export class StreamReader {
  #buffered: Buffer[] = [];
  #length = 0;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(stream: Readable) {
    stream.on("data", (chunk: Buffer | string) => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      this.#buffered.push(bytes);
      this.#length += bytes.length;
      this.#wake?.();
    });
    stream.once("end", () => {
      this.#ended = true;
      this.#wake?.();
    });
    stream.once("error", (error) => {
      this.#error = error;
      this.#wake?.();
    });
  }

  /** Whether the stream has ended and everything was read. */
  get done(): boolean {
    return this.#ended && this.#length === 0;
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  /** Exactly `length` bytes; fails if the stream ends or errors first. */
  async read(length: number): Promise<Buffer> {
    await this.#until(() => this.#length >= length);
    if (this.#length < length) throw this.#error ?? new Error(`stream ended after ${this.#length} of ${length} bytes`);
    const all = Buffer.concat(this.#buffered);
    this.#buffered = all.length > length ? [all.subarray(length)] : [];
    this.#length -= length;
    return all.subarray(0, length);
  }

  /** Everything up to the end of the stream. */
  async readToEnd(): Promise<Buffer> {
    await this.#until(() => false);
    if (this.#error) throw this.#error;
    const all = Buffer.concat(this.#buffered);
    this.#buffered = [];
    this.#length = 0;
    return all;
  }
}
