/*
 * Shared fixtures of this package's tests: a hand-built grpc-js service definition (JSON and raw-bytes
 * methods), a server on a unix socket in a temporary directory, promise wrappers around grpc-js client calls,
 * and a raw HTTP/2 peer on a bare socket for malformed input.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { ServiceError, StatusObject } from "@grpc/grpc-js";
import type { ClientBidiCall, ClientCodec } from "./client.js";
import type { GrpcServerOptions } from "./server.js";
import { GrpcServer } from "./server.js";

type Kind = "unary" | "server" | "client" | "bidi";

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value), "utf8"),
  deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString("utf8")),
};
const bytes = {
  serialize: (value: Buffer): Buffer => value,
  deserialize: (value: Buffer): Buffer => value,
};

function method(name: string, kind: Kind, codec: typeof json | typeof bytes): grpc.MethodDefinition<unknown, unknown> {
  return {
    path: `/jumpstarter.test.Test/${name}`,
    requestStream: kind === "client" || kind === "bidi",
    responseStream: kind === "server" || kind === "bidi",
    requestSerialize: codec.serialize as (value: unknown) => Buffer,
    requestDeserialize: codec.deserialize,
    responseSerialize: codec.serialize as (value: unknown) => Buffer,
    responseDeserialize: codec.deserialize,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

/** Every method the tests call; the server registers what a test gives handlers for. */
export const testService: grpc.ServiceDefinition = {
  unary: method("Unary", "unary", json),
  serverStream: method("ServerStream", "server", json),
  bidi: method("Bidi", "bidi", json),
  clientStream: method("ClientStream", "client", json),
  missing: method("Missing", "unary", json),
  bytesUnary: method("BytesUnary", "unary", bytes),
  bytesBidi: method("BytesBidi", "bidi", bytes),
  bytesServerStream: method("BytesServerStream", "server", bytes),
};

export const UNARY_PATH = testService.unary!.path;

type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, value?: unknown) => void,
) => grpc.ClientUnaryCall;
type ServerStreamMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;
type BidiMethod = (metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientDuplexStream<unknown, unknown>;
type ClientStreamMethod = (
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, value?: unknown) => void,
) => grpc.ClientWritableStream<unknown>;

/** A grpc-js client of {@link testService}. */
export type TestClient = grpc.Client & {
  unary: UnaryMethod;
  missing: UnaryMethod;
  bytesUnary: UnaryMethod;
  serverStream: ServerStreamMethod;
  bytesServerStream: ServerStreamMethod;
  bidi: BidiMethod;
  bytesBidi: BidiMethod;
  clientStream: ClientStreamMethod;
};

const ClientConstructor = grpc.makeGenericClientConstructor(testService, "jumpstarter.test.Test");

export function newClient(address: string, options: grpc.ChannelOptions = {}, credentials = grpc.credentials.createInsecure()): TestClient {
  return new ClientConstructor(address, credentials, options) as unknown as TestClient;
}

/** What a unary call ended with. */
export interface UnaryOutcome {
  readonly value: unknown;
  readonly error: grpc.ServiceError | undefined;
  /** Response headers (`undefined` for a trailers-only response). */
  readonly headers: grpc.Metadata | undefined;
  readonly status: grpc.StatusObject;
}

export function callUnary(
  client: TestClient,
  request: unknown,
  options: { method?: "unary" | "missing" | "bytesUnary"; metadata?: grpc.Metadata; deadline?: number } = {},
): Promise<UnaryOutcome> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let result: { value: unknown; error: grpc.ServiceError | undefined } | undefined;
    let status: grpc.StatusObject | undefined;
    const settle = () => {
      if (result && status) resolve({ ...result, headers, status });
    };
    const callOptions: grpc.CallOptions = options.deadline !== undefined ? { deadline: options.deadline } : {};
    const call = client[options.method ?? "unary"](request, options.metadata ?? new grpc.Metadata(), callOptions, (error, value) => {
      result = { value, error: error ?? undefined };
      settle();
    });
    call.on("metadata", (metadata: grpc.Metadata) => (headers = metadata));
    call.on("status", (value: grpc.StatusObject) => {
      status = value;
      settle();
    });
  });
}

/** What a response stream delivered before it ended. */
export interface StreamOutcome {
  readonly messages: unknown[];
  readonly error: grpc.ServiceError | undefined;
  readonly headers: grpc.Metadata | undefined;
  readonly status: grpc.StatusObject;
}

/** Reads `call` to its end (status). */
export function collect(call: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    let headers: grpc.Metadata | undefined;
    let error: grpc.ServiceError | undefined;
    let status: grpc.StatusObject | undefined;
    let ended = false;
    const settle = () => {
      if (status && (ended || error)) resolve({ messages, error, headers, status });
    };
    call.on("metadata", (metadata: grpc.Metadata) => (headers = metadata));
    call.on("data", (message: unknown) => messages.push(message));
    call.on("error", (value: grpc.ServiceError) => {
      error = value;
      settle();
    });
    call.on("end", () => {
      ended = true;
      settle();
    });
    call.on("status", (value: grpc.StatusObject) => {
      status = value;
      settle();
    });
  });
}

/** A server on a unix socket in a fresh temporary directory. */
export interface Fixture {
  readonly server: GrpcServer;
  readonly address: string;
  readonly socketPath: string;
  readonly directory: string;
  close(): Promise<void>;
}

export async function startServer(
  handlers: Record<string, (...args: never[]) => void>,
  options: GrpcServerOptions = {},
): Promise<Fixture> {
  const directory = await mkdtemp(join(tmpdir(), "jmp-grpc-server-"));
  const socketPath = join(directory, "grpc.sock");
  const server = new GrpcServer(options);
  server.addService(testService, handlers);
  const address = await server.listen(`unix:${socketPath}`);
  let closed = false;
  return {
    server,
    address,
    socketPath,
    directory,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 10 ms until it holds (fails after `ms`). */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await delay(10);
  }
}

// ---- raw HTTP/2 ----

export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
export const FLAG = { END_STREAM: 1, ACK: 1, END_HEADERS: 4 } as const;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), length = payload.length): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

export interface ParsedFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export function parseFrames(bytes: Buffer): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  let offset = 0;
  while (bytes.length - offset >= 9) {
    const length = bytes.readUIntBE(offset, 3);
    if (bytes.length - offset - 9 < length) break;
    frames.push({
      type: bytes[offset + 3]!,
      flags: bytes[offset + 4]!,
      streamId: bytes.readUInt32BE(offset + 5) & 0x7fff_ffff,
      payload: bytes.subarray(offset + 9, offset + 9 + length),
    });
    offset += 9 + length;
  }
  return frames;
}

/**
 * Connects a bare socket to `socketPath`, writes `chunks` one after the other (each once the server's first
 * bytes arrived, so a SETTINGS from the server has been seen), and returns every frame the server sent until it
 * closed the connection (failing if it does not within `ms`).
 */
export async function rawExchange(socketPath: string, chunks: Buffer[], ms = 5000): Promise<{ frames: ParsedFrame[]; bytes: Buffer }> {
  const socket = net.connect(socketPath);
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  socket.on("error", () => {});
  try {
    await within(ms, "the raw connection", once(socket, "connect"));
    for (const chunk of chunks) socket.write(chunk);
    await within(ms, "the server to close the raw connection", once(socket, "close"));
  } finally {
    socket.destroy();
  }
  const all = Buffer.concat(received);
  return { frames: parseFrames(all), bytes: all };
}

/** The GOAWAY frames among `frames`, as { lastStreamId, code, debug }. */
export function goaways(frames: ParsedFrame[]): Array<{ lastStreamId: number; code: number; debug: string }> {
  return frames
    .filter((f) => f.type === FRAME.GOAWAY)
    .map((f) => ({ lastStreamId: f.payload.readUInt32BE(0) & 0x7fff_ffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString("utf8") }));
}

/** A server with `handlers` and a client of it, started before a suite's tests and closed after them. */
export function serveForSuite(handlers: Record<string, (...args: never[]) => void>, options: GrpcServerOptions = {}): { readonly fixture: Fixture; readonly client: TestClient } {
  let fixture: Fixture | undefined;
  let client: TestClient | undefined;
  before(async () => {
    fixture = await startServer(handlers, options);
    client = newClient(fixture.address);
  });
  after(async () => {
    client?.close();
    await fixture?.close();
  });
  return {
    get fixture() {
      assert.ok(fixture, "the suite's server is started in before()");
      return fixture;
    },
    get client() {
      assert.ok(client, "the suite's client is started in before()");
      return client;
    },
  };
}

// Client calls (GrpcClient).

/** The test service's bidi method over raw bytes. */
export const BYTES_BIDI = testService.bytesBidi!.path;

/** Messages are Buffers, as they are. */
export const bytesCodec: ClientCodec = { serialize: (bytes: Buffer) => bytes, deserialize: (bytes: Buffer) => bytes };

/** Everything a call told its user, and in which order (`metadata`, `error`, `status`, `end`). */
export interface Outcome<T = Buffer> {
  readonly messages: T[];
  readonly headers: grpc.Metadata | undefined;
  readonly error: ServiceError | undefined;
  readonly status: StatusObject;
  readonly events: string[];
}

/** Reads `call` until its status (and its `end`, unless it failed). */
export function outcome<T = Buffer>(call: ClientBidiCall): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const messages: T[] = [];
    const events: string[] = [];
    let headers: grpc.Metadata | undefined;
    let error: ServiceError | undefined;
    let status: StatusObject | undefined;
    let ended = false;
    const settle = () => {
      if (status && (ended || error)) resolve({ messages, headers, error, status, events });
    };
    call.on("metadata", (metadata: grpc.Metadata) => {
      events.push("metadata");
      headers = metadata;
    });
    call.on("data", (message: T) => messages.push(message));
    call.on("error", (value: ServiceError) => {
      events.push("error");
      error = value;
      settle();
    });
    call.on("end", () => {
      events.push("end");
      ended = true;
      settle();
    });
    call.on("status", (value: StatusObject) => {
      events.push("status");
      status = value;
      settle();
    });
  });
}

/** Metadata with `entries`. */
export function metadataOf(entries: Record<string, string | Buffer>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.add(key, value);
  return metadata;
}
