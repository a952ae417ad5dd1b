/**
 * @module
 * The driver the session benchmark serves: a unary echo, a streaming read, and two byte streams that stay in
 * the exporter process (an echo and a sink), so the stream numbers measure the relay and nothing behind it.
 */
import { Duplex, PassThrough } from "node:stream";
import { Driver, exportMethod, exportstream } from "@jumpstarter/core";
import { CHUNK_SIZE, STREAMING_ITEMS } from "./workload.js";

/** A byte stream that swallows everything written and ends its readable side when the writer ends. */
export function createSink(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk: Buffer, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
    final(callback) {
      this.push(null);
      callback();
    },
  });
}

/**
 * A byte stream that, once the writer sends an 8-byte big-endian count and ends, produces that many bytes in
 * {@link CHUNK_SIZE} pushes, following the reader's pace.
 */
export function createSource(chunk: Buffer = Buffer.alloc(CHUNK_SIZE, 0x5a)): Duplex {
  let request = Buffer.alloc(0);
  let left = -1;
  let pull: (() => void) | undefined;
  const stream: Duplex = new Duplex({
    read() {
      pull?.();
    },
    write(data: Buffer, _encoding, callback) {
      request = Buffer.concat([request, data]);
      callback();
    },
    final(callback) {
      if (request.length < 8) {
        callback(new Error("the source needs an 8-byte count"));
        return;
      }
      left = Number(request.readBigUInt64BE(0));
      pull = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!stream.push(piece)) return;
        }
        pull = undefined;
        stream.push(null);
      };
      pull();
      callback();
    },
  });
  return stream;
}

/** Benchmark driver. */
export class BenchDriver extends Driver {
  client(): string {
    return "jumpstarter_bench.client.BenchClient";
  }

  /** Returns its first argument. */
  @exportMethod
  echo(value: unknown, _extra?: unknown): unknown {
    return value;
  }

  /** Yields a few small readings, like MockPower.read(). */
  @exportMethod
  async *read(): AsyncGenerator<{ voltage: number; current: number }> {
    for (let i = 0; i < STREAMING_ITEMS; i++) yield { voltage: 5, current: 0.5 + i };
  }

  /** Echoes every byte back. */
  @exportstream
  async connect(): Promise<Duplex> {
    return new PassThrough({ highWaterMark: 256 * 1024 });
  }

  /** Discards every byte. */
  @exportstream
  async sink(): Promise<Duplex> {
    return createSink();
  }

  /** Sends as many bytes as the client asks for (see {@link createSource}). */
  @exportstream
  async source(): Promise<Duplex> {
    return createSource();
  }
}
