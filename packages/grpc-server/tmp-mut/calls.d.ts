/**
 * @module
 * gRPC calls on HTTP/2 streams, shaped like grpc-js's server calls (`request`, `metadata`, `sendMetadata`, the
 * `cancelled` event, `emit("error", status)` to fail) so handlers written for grpc-js run unchanged.
 */
import { EventEmitter } from "node:events";
import { Duplex, Writable } from "node:stream";
import { Metadata } from "@grpc/grpc-js";
import type { ServerStream } from "./connection.js";
/** A status to end a call with: grpc-js's `ServiceError` and `StatusObject` both fit. */
export interface CallStatus {
    readonly code?: number;
    readonly details?: string;
    readonly message?: string;
    readonly metadata?: Metadata;
}
/** How a call turns messages into bytes and back. */
export interface CallCodec {
    readonly deserialize: (bytes: Buffer) => unknown;
    readonly serialize: (message: unknown) => Buffer | Uint8Array;
}
/** Per-call settings derived from the request headers. */
export interface CallOptions {
    readonly path: string;
    readonly metadata: Metadata;
    readonly encoding: string | undefined;
    readonly deadline: number | undefined;
    readonly maxReceiveMessageLength: number;
    readonly peer: string;
}
/** The call a unary handler receives. */
export declare class UnaryCall extends EventEmitter {
    #private;
    readonly metadata: Metadata;
    request: unknown;
    constructor(stream: ServerStream, options: CallOptions, codec: CallCodec);
    get cancelled(): boolean;
    getPeer(): string;
    getPath(): string;
    getDeadline(): number;
    sendMetadata(metadata: Metadata): void;
    /** Starts the call once its request arrived; `handler` answers through the callback. */
    static serve(stream: ServerStream, options: CallOptions, codec: CallCodec, handler: (call: UnaryCall, callback: (error: CallStatus | null, value?: unknown, trailer?: Metadata) => void) => void): void;
}
/** The call a server-streaming handler receives: write responses, `end()` to finish. */
export declare class ServerStreamCall extends Writable {
    #private;
    readonly metadata: Metadata;
    request: unknown;
    constructor(stream: ServerStream, options: CallOptions, codec: CallCodec);
    get cancelled(): boolean;
    getPeer(): string;
    getPath(): string;
    getDeadline(): number;
    sendMetadata(metadata?: Metadata): void;
    _write(message: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    _final(callback: (error?: Error | null) => void): void;
    /** Starts the call once its request arrived. */
    static serve(stream: ServerStream, options: CallOptions, codec: CallCodec, handler: (call: ServerStreamCall) => void): void;
}
/** The call a bidi-streaming handler receives: a Duplex of messages. */
export declare class BidiCall extends Duplex {
    #private;
    readonly metadata: Metadata;
    constructor(stream: ServerStream, options: CallOptions, codec: CallCodec);
    get cancelled(): boolean;
    getPeer(): string;
    getPath(): string;
    getDeadline(): number;
    sendMetadata(metadata?: Metadata): void;
    _read(): void;
    _write(message: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    _final(callback: (error?: Error | null) => void): void;
    /** Starts the call at once: messages flow as they arrive. */
    static serve(stream: ServerStream, options: CallOptions, codec: CallCodec, handler: (call: BidiCall) => void): void;
}
//# sourceMappingURL=calls.d.ts.map