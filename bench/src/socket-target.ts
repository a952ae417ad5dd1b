/**
 * @module
 * Baseline: a bare unix socket (`node:net`), no framing beyond fixed-size messages. The practical ceiling of
 * the machine. Each connection starts with one byte naming its role: `r` (request/response), `s` (sink) or
 * `e` (echo), `d` (download: an 8-byte count, answered by that many bytes). On an `r` connection every {@link SOCKET_MESSAGE_SIZE}-byte request gets one response of that size
 * when its first byte is `u`, or one per streamed value plus an end marker when it is `s`.
 */
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import type { Socket } from "node:net";
import { drain, readAll } from "./stream-io.js";
import type { BenchTarget } from "./workload.js";
import { CHUNK_SIZE, SOCKET_MESSAGE_SIZE, STREAMING_ITEMS, downloadRequest } from "./workload.js";

const reply = Buffer.alloc(SOCKET_MESSAGE_SIZE, 0x72);

function serveRequests(socket: Socket, first: Buffer): void {
  let pending = first;
  const onData = (data: Buffer) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    let offset = 0;
    while (pending.length - offset >= SOCKET_MESSAGE_SIZE) {
      const streaming = pending[offset] === 0x73;
      offset += SOCKET_MESSAGE_SIZE;
      if (streaming) {
        for (let i = 0; i <= STREAMING_ITEMS; i++) socket.write(reply);
      } else {
        socket.write(reply);
      }
    }
    pending = pending.subarray(offset);
  };
  socket.on("data", onData);
  if (first.length > 0) onData(Buffer.alloc(0));
}

const sourceChunk = Buffer.alloc(CHUNK_SIZE, 0x5a);

function serveSource(socket: Socket, first: Buffer): void {
  let request = first;
  const start = () => {
    let left = Number(request.readBigUInt64BE(0));
    const pump = () => {
      while (left > 0) {
        const piece = left >= sourceChunk.length ? sourceChunk : sourceChunk.subarray(0, left);
        left -= piece.length;
        if (!socket.write(piece)) {
          socket.once("drain", pump);
          return;
        }
      }
      socket.end();
    };
    pump();
  };
  socket.resume();
  if (request.length >= 8) start();
  else {
    const onData = (data: Buffer) => {
      request = Buffer.concat([request, data]);
      if (request.length < 8) return;
      socket.off("data", onData);
      start();
    };
    socket.on("data", onData);
  }
}

function route(socket: Socket): void {
  socket.on("error", () => socket.destroy());
  socket.once("data", (data: Buffer) => {
    const role = data[0];
    const rest = data.subarray(1);
    if (role === 0x65) {
      if (rest.length > 0) socket.write(rest);
      socket.pipe(socket);
    } else if (role === 0x73) {
      socket.on("end", () => socket.end());
      socket.resume();
    } else if (role === 0x64) {
      serveSource(socket, rest);
    } else {
      serveRequests(socket, rest);
    }
  });
}

/** Serves the baseline at `address` (`unix:/path`). */
export async function startSocketServer(address: string): Promise<string> {
  const server = createServer({ allowHalfOpen: true }, route);
  server.listen(address.slice("unix:".length));
  await once(server, "listening");
  return address;
}

async function open(path: string, role: string): Promise<Socket> {
  const socket = createConnection(path);
  await once(socket, "connect");
  socket.write(role);
  return socket;
}

async function transfer(path: string, role: "s" | "e", bytes: number, chunk: Buffer): Promise<number> {
  const socket = await open(path, role);
  const received = readAll(socket);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!socket.write(chunk)) await drain(socket);
  }
  socket.end();
  const count = await received;
  socket.destroy();
  return count;
}

/** Connects to the baseline: one request/response connection, and one connection per transfer. */
export async function connectSocket(address: string): Promise<BenchTarget> {
  const path = address.slice("unix:".length);
  const socket = await open(path, "r");
  const waiting: Array<{ bytes: number; resolve: () => void }> = [];
  socket.on("data", (data: Buffer) => {
    let available = data.length;
    while (available > 0 && waiting.length > 0) {
      const head = waiting[0]!;
      const used = Math.min(head.bytes, available);
      head.bytes -= used;
      available -= used;
      if (head.bytes === 0) {
        waiting.shift();
        head.resolve();
      }
    }
  });
  const unaryRequest = Buffer.alloc(SOCKET_MESSAGE_SIZE, 0x75);
  const streamingRequest = Buffer.alloc(SOCKET_MESSAGE_SIZE, 0x73);
  const request = (message: Buffer, bytes: number) =>
    new Promise<void>((resolve) => {
      waiting.push({ bytes, resolve });
      socket.write(message);
    });
  return {
    unary: () => request(unaryRequest, SOCKET_MESSAGE_SIZE),
    streamingCall: () => request(streamingRequest, SOCKET_MESSAGE_SIZE * (STREAMING_ITEMS + 1)),
    async upload(bytes, chunk) {
      await transfer(path, "s", bytes, chunk);
    },
    async download(bytes) {
      const socket = await open(path, "d");
      const received = readAll(socket);
      socket.end(downloadRequest(bytes));
      const count = await received;
      socket.destroy();
      return count;
    },
    echo: (bytes, chunk) => transfer(path, "e", bytes, chunk),
    close: () => socket.destroy(),
  };
}
