/**
 * @module
 * What every benchmark target does, and how much of it: the same operations are driven against our exporter
 * session, a bare grpc-js server and a bare unix socket, so their rates can be compared as ratios.
 */

/** Size of one write on a byte stream. */
export const CHUNK_SIZE = 64 * 1024;

/** The request of a download: the byte count, 8 bytes big-endian. */
export function downloadRequest(bytes: number): Buffer {
  const request = Buffer.alloc(8);
  request.writeBigUInt64BE(BigInt(bytes));
  return request;
}

/** Bytes of one request or response on the raw-socket unary baseline (about a DriverCall's size). */
export const SOCKET_MESSAGE_SIZE = 64;

/** Values a streaming call yields, like `PowerClient.read()` on MockPower. */
export const STREAMING_ITEMS = 2;

/** Unary calls in flight for the concurrent unary benchmark. */
export const IN_FLIGHT = 32;

/** Iteration counts of one run. */
export interface Workload {
  readonly warmupCalls: number;
  readonly sequentialCalls: number;
  readonly concurrentCalls: number;
  readonly streamingCalls: number;
  readonly streamBytes: number;
  /** Runs of each measurement; the median is reported. */
  readonly repeats: number;
}

/** The full run: well under two minutes on a 2-core machine. */
export const fullWorkload: Workload = {
  warmupCalls: 10_000,
  sequentialCalls: 4000,
  concurrentCalls: 16_000,
  streamingCalls: 2000,
  streamBytes: 256 * 1024 * 1024,
  repeats: 3,
};

/** A few seconds in all: proves every path works, numbers are only indicative. */
export const quickWorkload: Workload = {
  warmupCalls: 50,
  sequentialCalls: 200,
  concurrentCalls: 640,
  streamingCalls: 100,
  streamBytes: 8 * 1024 * 1024,
  repeats: 1,
};

/** One implementation under test, seen from the client process. */
export interface BenchTarget {
  /** One unary call, echoing a short argument. */
  unary(): Promise<void>;
  /** One streaming call that yields {@link STREAMING_ITEMS} values. */
  streamingCall(): Promise<void>;
  /** Sends `bytes` in {@link CHUNK_SIZE} writes to a sink, resolving once the far end has seen the end. */
  upload(bytes: number, chunk: Buffer): Promise<void>;
  /** Asks a source for `bytes` sent in {@link CHUNK_SIZE} writes and reads them; resolves with the bytes received. */
  download(bytes: number): Promise<number>;
  /** Sends `bytes` to an echo and reads them all back; resolves with the bytes received. */
  echo(bytes: number, chunk: Buffer): Promise<number>;
  close(): void;
}

/** The implementations compared in every row. */
export type TargetKind = "session" | "grpc" | "socket";

/** Request from the bench to a server process. */
export type ServerRequest = { readonly type: "cpu"; readonly id: number } | { readonly type: "exit" };

/** Messages from a server process to the bench. */
export type ServerMessage =
  | { readonly type: "ready"; readonly address: string }
  | { readonly type: "cpu"; readonly id: number; readonly micros: number }
  | { readonly type: "error"; readonly message: string };
