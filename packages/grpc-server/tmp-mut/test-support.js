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
import * as grpc from "@grpc/grpc-js";
import { GrpcServer } from "./server.js";
const json = {
    serialize: (value) => Buffer.from(JSON.stringify(value), "utf8"),
    deserialize: (bytes) => JSON.parse(bytes.toString("utf8")),
};
const bytes = {
    serialize: (value) => value,
    deserialize: (value) => value,
};
function method(name, kind, codec) {
    return {
        path: `/jumpstarter.test.Test/${name}`,
        requestStream: kind === "client" || kind === "bidi",
        responseStream: kind === "server" || kind === "bidi",
        requestSerialize: codec.serialize,
        requestDeserialize: codec.deserialize,
        responseSerialize: codec.serialize,
        responseDeserialize: codec.deserialize,
        originalName: name.charAt(0).toLowerCase() + name.slice(1),
    };
}
/** Every method the tests call; the server registers what a test gives handlers for. */
export const testService = {
    unary: method("Unary", "unary", json),
    serverStream: method("ServerStream", "server", json),
    bidi: method("Bidi", "bidi", json),
    clientStream: method("ClientStream", "client", json),
    missing: method("Missing", "unary", json),
    bytesUnary: method("BytesUnary", "unary", bytes),
    bytesBidi: method("BytesBidi", "bidi", bytes),
};
export const UNARY_PATH = testService.unary.path;
const ClientConstructor = grpc.makeGenericClientConstructor(testService, "jumpstarter.test.Test");
export function newClient(address, options = {}, credentials = grpc.credentials.createInsecure()) {
    return new ClientConstructor(address, credentials, options);
}
export function callUnary(client, request, options = {}) {
    return new Promise((resolve) => {
        let headers;
        let result;
        let status;
        const settle = () => {
            if (result && status)
                resolve({ ...result, headers, status });
        };
        const callOptions = options.deadline !== undefined ? { deadline: options.deadline } : {};
        const call = client[options.method ?? "unary"](request, options.metadata ?? new grpc.Metadata(), callOptions, (error, value) => {
            result = { value, error: error ?? undefined };
            settle();
        });
        call.on("metadata", (metadata) => (headers = metadata));
        call.on("status", (value) => {
            status = value;
            settle();
        });
    });
}
/** Reads `call` to its end (status). */
export function collect(call) {
    return new Promise((resolve) => {
        const messages = [];
        let headers;
        let error;
        let status;
        let ended = false;
        const settle = () => {
            if (status && (ended || error))
                resolve({ messages, error, headers, status });
        };
        call.on("metadata", (metadata) => (headers = metadata));
        call.on("data", (message) => messages.push(message));
        call.on("error", (value) => {
            error = value;
            settle();
        });
        call.on("end", () => {
            ended = true;
            settle();
        });
        call.on("status", (value) => {
            status = value;
            settle();
        });
    });
}
export async function startServer(handlers, options = {}) {
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
            if (closed)
                return;
            closed = true;
            await server.close();
            await rm(directory, { recursive: true, force: true });
        },
    };
}
/** Resolves after `ms` milliseconds. */
export function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export async function within(ms, what, promise) {
    let timer;
    try {
        return await Promise.race([
            promise,
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
            }),
        ]);
    }
    finally {
        clearTimeout(timer);
    }
}
/** Polls `condition` every 10 ms until it holds (fails after `ms`). */
export async function until(condition, what, ms = 5000) {
    const start = Date.now();
    while (!condition()) {
        if (Date.now() - start > ms)
            assert.fail(`timed out after ${ms} ms waiting for ${what}`);
        await delay(10);
    }
}
// ---- raw HTTP/2 ----
export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8 };
export const FLAG = { END_STREAM: 1, ACK: 1, END_HEADERS: 4 };
export function frame(type, flags, streamId, payload = Buffer.alloc(0), length = payload.length) {
    const header = Buffer.alloc(9);
    header.writeUIntBE(length, 0, 3);
    header[3] = type;
    header[4] = flags;
    header.writeUInt32BE(streamId, 5);
    return Buffer.concat([header, payload]);
}
export function parseFrames(bytes) {
    const frames = [];
    let offset = 0;
    while (bytes.length - offset >= 9) {
        const length = bytes.readUIntBE(offset, 3);
        if (bytes.length - offset - 9 < length)
            break;
        frames.push({
            type: bytes[offset + 3],
            flags: bytes[offset + 4],
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
export async function rawExchange(socketPath, chunks, ms = 5000) {
    const socket = net.connect(socketPath);
    const received = [];
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", () => { });
    try {
        await within(ms, "the raw connection", once(socket, "connect"));
        for (const chunk of chunks)
            socket.write(chunk);
        await within(ms, "the server to close the raw connection", once(socket, "close"));
    }
    finally {
        socket.destroy();
    }
    const all = Buffer.concat(received);
    return { frames: parseFrames(all), bytes: all };
}
/** The GOAWAY frames among `frames`, as { lastStreamId, code, debug }. */
export function goaways(frames) {
    return frames
        .filter((f) => f.type === FRAME.GOAWAY)
        .map((f) => ({ lastStreamId: f.payload.readUInt32BE(0) & 0x7fff_ffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString("utf8") }));
}
//# sourceMappingURL=test-support.js.map