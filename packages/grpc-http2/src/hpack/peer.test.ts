/*
 * Node's own HTTP/2 client (nghttp2, with Huffman strings and its dynamic table) against a bare
 * socket server that speaks just enough HTTP/2 to collect request header blocks and answer them
 * with blocks from HpackEncoder.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import http2 from "node:http2";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { HpackDecoder } from "./decoder.js";
import { HpackEncoder } from "./encoder.js";
import { STATIC_TABLE } from "./static-table.js";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
const DATA = 0x0;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const CONTINUATION = 0x9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 0x1;

function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

interface ReceivedBlock {
  streamId: number;
  bytes: Buffer;
  headerFrames: number;
  fields: Array<[string, string]>;
}

/** The server half of one connection: frames in, decoded header blocks out. */
class PeerConnection {
  readonly blocks: ReceivedBlock[] = [];
  readonly settingsAcked: Promise<void>;
  /** What went wrong on the server side, if anything (the socket is then destroyed). */
  error: unknown;
  readonly #socket: net.Socket;
  readonly #decoder: HpackDecoder;
  readonly #encoder = new HpackEncoder();
  readonly #respond: (block: ReceivedBlock) => Array<[string, string]>;
  readonly #settings: Buffer;
  #input = Buffer.alloc(0);
  #prefaceSeen = false;
  #pending: { streamId: number; fragments: Buffer[]; frames: number } | undefined;
  #ackSettings!: () => void;

  constructor(
    socket: net.Socket,
    headerTableSize: number | undefined,
    respond: (block: ReceivedBlock) => Array<[string, string]>,
  ) {
    this.#socket = socket;
    this.#decoder = new HpackDecoder(headerTableSize);
    this.#respond = respond;
    this.#settings = Buffer.alloc(headerTableSize === undefined ? 0 : 6);
    if (headerTableSize !== undefined) {
      this.#settings.writeUInt16BE(SETTINGS_HEADER_TABLE_SIZE, 0);
      this.#settings.writeUInt32BE(headerTableSize, 2);
    }
    this.settingsAcked = new Promise((resolve) => (this.#ackSettings = resolve));
    socket.on("data", (chunk: Buffer) => {
      try {
        this.#onData(chunk);
      } catch (error) {
        this.error ??= error;
        socket.destroy();
      }
    });
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  }

  #onData(chunk: Buffer): void {
    this.#input = Buffer.concat([this.#input, chunk]);
    if (!this.#prefaceSeen) {
      if (this.#input.length < PREFACE.length) return;
      assert.deepEqual(this.#input.subarray(0, PREFACE.length), PREFACE);
      this.#input = this.#input.subarray(PREFACE.length);
      this.#prefaceSeen = true;
    }
    while (this.#input.length >= 9) {
      const length = this.#input.readUIntBE(0, 3);
      if (this.#input.length < 9 + length) return;
      const type = this.#input[3]!;
      const flags = this.#input[4]!;
      const streamId = this.#input.readUInt32BE(5) & 0x7fffffff;
      const payload = this.#input.subarray(9, 9 + length);
      this.#input = this.#input.subarray(9 + length);
      this.#onFrame(type, flags, streamId, payload);
    }
  }

  #onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (this.#pending !== undefined) assert.equal(type, CONTINUATION, "only CONTINUATION may follow an open header block");
    if (type === SETTINGS) {
      if (flags & ACK) this.#ackSettings();
      else this.#socket.write(Buffer.concat([frame(SETTINGS, 0, 0, this.#settings), frame(SETTINGS, ACK, 0)]));
    } else if (type === HEADERS) {
      let start = 0;
      let end = payload.length;
      if (flags & PADDED) end -= payload[start++]!;
      if (flags & PRIORITY) start += 5;
      this.#pending = { streamId, fragments: [payload.subarray(start, end)], frames: 1 };
      if (flags & END_HEADERS) this.#onBlock();
    } else if (type === CONTINUATION) {
      const pending = this.#pending;
      if (pending?.streamId !== streamId) assert.fail(`CONTINUATION on stream ${streamId} without its HEADERS`);
      pending.fragments.push(payload);
      pending.frames++;
      if (flags & END_HEADERS) this.#onBlock();
    } else {
      assert.notEqual(type, DATA, "the requests carry no body");
    }
  }

  #onBlock(): void {
    const { streamId, fragments, frames } = this.#pending!;
    this.#pending = undefined;
    const bytes = Buffer.concat(fragments);
    const block: ReceivedBlock = { streamId, bytes, headerFrames: frames, fields: this.#decoder.decode(bytes) };
    this.blocks.push(block);
    this.#socket.write(frame(HEADERS, END_HEADERS | END_STREAM, streamId, this.#encoder.encode(this.#respond(block))));
  }

  get decoderTableSize(): number {
    return this.#decoder.tableSize;
  }
}

const printable = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
const allPrintable = printable.slice(0, 40) + " " + printable.slice(40);
const longValue = Array.from({ length: 3000 }, (_, i) => printable[(i * 7919) % printable.length]).join("");
const alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const hugeValue = Array.from({ length: 40000 }, (_, i) => alphanumeric[(i * 31337) % 62]).join("");

const authority = "exporter.local:50051";

interface RequestCase {
  headers: OutgoingHttpHeaders;
  /** The regular (non-pseudo) fields the client should send, in order. */
  fields: Array<[string, string]>;
  /** The pseudo-header fields, in any order. */
  pseudo: Record<string, string>;
}

function grpcCall(path: string, extra: Array<[string, string | string[]]>, sensitive: string[] = []): RequestCase {
  const headers: OutgoingHttpHeaders = {
    ":method": "POST",
    ":path": path,
    ":authority": authority,
    "content-type": "application/grpc",
    te: "trailers",
  };
  const fields: Array<[string, string]> = [
    ["content-type", "application/grpc"],
    ["te", "trailers"],
  ];
  for (const [name, value] of extra) {
    headers[name] = value;
    for (const v of Array.isArray(value) ? value : [value]) fields.push([name, v]);
  }
  if (sensitive.length > 0) Object.assign(headers, { [http2.sensitiveHeaders]: sensitive });
  return { headers, fields, pseudo: { ":method": "POST", ":path": path, ":scheme": "http", ":authority": authority } };
}

const cases: RequestCase[] = [
  grpcCall("/jumpstarter.v1.ExporterService/GetReport", [
    ["x-repeat", "same value every time"],
    ["grpc-timeout", "10S"],
  ]),
  grpcCall("/jumpstarter.v1.ExporterService/DriverCall", [
    ["x-repeat", "same value every time"],
    ["x-printable", allPrintable],
    ["x-long", longValue],
    ["user-agent", "grpc-node-js/1.14.7"],
  ]),
  grpcCall(
    "/jumpstarter.v1.ExporterService/DriverCall",
    [
      ["x-repeat", "same value every time"],
      ["x-multi", ["one", "two", "three", "two"]],
      ["x-secret", "do not index me"],
      ["x-empty", ""],
    ],
    ["x-secret"],
  ),
  grpcCall("/jumpstarter.v1.ExporterService/StreamingDriverCall", [
    ["x-huge", hugeValue],
    ["x-repeat", "same value every time"],
  ]),
  grpcCall("/jumpstarter.v1.ExporterService/GetReport", [
    ["x-repeat", "same value every time"],
    ["grpc-timeout", "10S"],
  ]),
  {
    headers: {
      ":method": "GET",
      ":scheme": "https",
      ":path": "/index.html",
      ":authority": authority,
      "accept-encoding": "gzip, deflate",
    },
    fields: [["accept-encoding", "gzip, deflate"]],
    pseudo: { ":method": "GET", ":path": "/index.html", ":scheme": "https", ":authority": authority },
  },
  {
    headers: { ":method": "GET", ":path": "/", ":authority": authority },
    fields: [],
    pseudo: { ":method": "GET", ":path": "/", ":scheme": "http", ":authority": authority },
  },
];

/* Every static table entry a response may carry, so nghttp2 checks our static indexes. */
const staticFields = STATIC_TABLE.filter(
  ([name]) => !name.startsWith(":") && name !== "transfer-encoding" && name !== "content-length",
).map(([name, value]): [string, string] => [name, value]);
const statuses = STATIC_TABLE.filter(([name]) => name === ":status").map(([, value]) => value);

function responseFor(block: ReceivedBlock): Array<[string, string]> {
  const path = block.fields.find(([name]) => name === ":path")?.[1] ?? "";
  return [
    [":status", statuses[(block.streamId >> 1) % statuses.length]!],
    ...staticFields,
    ["content-type", "application/grpc"],
    ["grpc-status", "0"],
    ["x-echo-path", path],
    ["x-stream", String(block.streamId)],
    ["x-empty", ""],
    ["cache-control", "no-cache"],
    ["x-printable", allPrintable],
  ];
}

/** Waits for the stream to close, resolving with its response's raw headers if it had a response. */
function exchange(request: http2.ClientHttp2Stream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let rawHeaders: string[] | undefined;
    request.on("response", (_headers: IncomingHttpHeaders, _flags: number, raw: string[]) => (rawHeaders = raw));
    request.on("error", reject);
    request.on("close", () => {
      if (rawHeaders === undefined) reject(new Error(`stream ${request.id} closed without a response`));
      else resolve(rawHeaders);
    });
    request.resume();
  });
}

async function runAgainstNodeClient(
  headerTableSize: number | undefined,
): Promise<{ blocks: ReceivedBlock[]; tableSizes: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), "hpack-peer-"));
  const socketPath = join(dir, "h2.sock");
  const connections: PeerConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    connections.push(new PeerConnection(socket, headerTableSize, responseFor));
  });
  server.listen(socketPath);
  await once(server, "listening");
  const client = http2.connect("http://localhost", { createConnection: () => net.connect(socketPath) });
  let sessionError: unknown;
  client.on("error", (error) => (sessionError ??= error));
  try {
    // Requests only after the client acknowledges our SETTINGS, so its encoder already honours our table size.
    while (connections.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await connections[0]!.settingsAcked;
    const tableSizes: number[] = [];
    for (const [i, testCase] of cases.entries()) {
      const rawHeaders = await exchange(client.request(testCase.headers, { endStream: true }));
      const received: Array<[string, string]> = [];
      for (let j = 0; j < rawHeaders.length; j += 2) received.push([rawHeaders[j]!, rawHeaders[j + 1]!]);
      assert.deepEqual(received, responseFor(connections[0]!.blocks[i]!), `response ${i}`);
      tableSizes.push(connections[0]!.decoderTableSize);
    }
    assert.equal(sessionError, undefined);
    return { blocks: connections[0]!.blocks, tableSizes };
  } catch (error) {
    throw connections[0]?.error ?? sessionError ?? error;
  } finally {
    if (!client.destroyed) await new Promise((resolve) => client.close(() => resolve(undefined)));
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

function checkRequests(blocks: ReceivedBlock[]): void {
  assert.equal(blocks.length, cases.length);
  blocks.forEach((block, i) => {
    const testCase = cases[i]!;
    assert.equal(block.streamId, 2 * i + 1);
    const regularAt = block.fields.findIndex(([name]) => !name.startsWith(":"));
    const firstRegular = regularAt === -1 ? block.fields.length : regularAt;
    const pseudo = block.fields.slice(0, firstRegular);
    const regular = block.fields.slice(firstRegular);
    assert.deepEqual(Object.fromEntries(pseudo), testCase.pseudo, `pseudo-headers of request ${i}`);
    assert.equal(pseudo.length, Object.keys(testCase.pseudo).length, `pseudo-headers of request ${i} are not repeated`);
    assert.deepEqual(regular, testCase.fields, `headers of request ${i}`);
  });
}

describe("HpackDecoder against Node's HTTP/2 client", () => {
  it("decodes every request block and the client accepts every HpackEncoder response", async () => {
    const { blocks, tableSizes } = await runAgainstNodeClient(undefined);
    checkRequests(blocks);
    assert.ok(tableSizes[0]! > 0, "the client indexes fields in the dynamic table");
    assert.ok(blocks[4]!.bytes.length < blocks[0]!.bytes.length / 2, "a repeated request is mostly table indexes");
    assert.ok(blocks[3]!.headerFrames > 1, "a 40000-byte header arrives as HEADERS + CONTINUATION");
  });

  it("follows the client's table size update when we advertise a 256-byte table", async () => {
    const { blocks, tableSizes } = await runAgainstNodeClient(256);
    checkRequests(blocks);
    assert.equal(blocks[0]!.bytes[0]! & 0xe0, 0x20, "the first block starts with a dynamic table size update");
    for (const size of tableSizes) assert.ok(size > 0 && size <= 256, `table size ${size}`);
  });
});
