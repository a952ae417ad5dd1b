import * as grpc from "@grpc/grpc-js";
import type { GrpcServerOptions } from "./server.js";
import { GrpcServer } from "./server.js";
/** Every method the tests call; the server registers what a test gives handlers for. */
export declare const testService: grpc.ServiceDefinition;
export declare const UNARY_PATH: string;
type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, value?: unknown) => void) => grpc.ClientUnaryCall;
type ServerStreamMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<unknown>;
type BidiMethod = (metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientDuplexStream<unknown, unknown>;
type ClientStreamMethod = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, value?: unknown) => void) => grpc.ClientWritableStream<unknown>;
/** A grpc-js client of {@link testService}. */
export type TestClient = grpc.Client & {
    unary: UnaryMethod;
    missing: UnaryMethod;
    bytesUnary: UnaryMethod;
    serverStream: ServerStreamMethod;
    bidi: BidiMethod;
    bytesBidi: BidiMethod;
    clientStream: ClientStreamMethod;
};
export declare function newClient(address: string, options?: grpc.ChannelOptions, credentials?: grpc.ChannelCredentials): TestClient;
/** What a unary call ended with. */
export interface UnaryOutcome {
    readonly value: unknown;
    readonly error: grpc.ServiceError | undefined;
    /** Response headers (`undefined` for a trailers-only response). */
    readonly headers: grpc.Metadata | undefined;
    readonly status: grpc.StatusObject;
}
export declare function callUnary(client: TestClient, request: unknown, options?: {
    method?: "unary" | "missing" | "bytesUnary";
    metadata?: grpc.Metadata;
    deadline?: number;
}): Promise<UnaryOutcome>;
/** What a response stream delivered before it ended. */
export interface StreamOutcome {
    readonly messages: unknown[];
    readonly error: grpc.ServiceError | undefined;
    readonly headers: grpc.Metadata | undefined;
    readonly status: grpc.StatusObject;
}
/** Reads `call` to its end (status). */
export declare function collect(call: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>): Promise<StreamOutcome>;
/** A server on a unix socket in a fresh temporary directory. */
export interface Fixture {
    readonly server: GrpcServer;
    readonly address: string;
    readonly socketPath: string;
    readonly directory: string;
    close(): Promise<void>;
}
export declare function startServer(handlers: Record<string, (...args: never[]) => void>, options?: GrpcServerOptions): Promise<Fixture>;
/** Resolves after `ms` milliseconds. */
export declare function delay(ms: number): Promise<void>;
/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export declare function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T>;
/** Polls `condition` every 10 ms until it holds (fails after `ms`). */
export declare function until(condition: () => boolean, what: string, ms?: number): Promise<void>;
export declare const PREFACE: Buffer<ArrayBuffer>;
export declare const FRAME: {
    readonly DATA: 0;
    readonly HEADERS: 1;
    readonly RST_STREAM: 3;
    readonly SETTINGS: 4;
    readonly PING: 6;
    readonly GOAWAY: 7;
    readonly WINDOW_UPDATE: 8;
};
export declare const FLAG: {
    readonly END_STREAM: 1;
    readonly ACK: 1;
    readonly END_HEADERS: 4;
};
export declare function frame(type: number, flags: number, streamId: number, payload?: Buffer, length?: number): Buffer;
export interface ParsedFrame {
    readonly type: number;
    readonly flags: number;
    readonly streamId: number;
    readonly payload: Buffer;
}
export declare function parseFrames(bytes: Buffer): ParsedFrame[];
/**
 * Connects a bare socket to `socketPath`, writes `chunks` one after the other (each once the server's first
 * bytes arrived, so a SETTINGS from the server has been seen), and returns every frame the server sent until it
 * closed the connection (failing if it does not within `ms`).
 */
export declare function rawExchange(socketPath: string, chunks: Buffer[], ms?: number): Promise<{
    frames: ParsedFrame[];
    bytes: Buffer;
}>;
/** The GOAWAY frames among `frames`, as { lastStreamId, code, debug }. */
export declare function goaways(frames: ParsedFrame[]): Array<{
    lastStreamId: number;
    code: number;
    debug: string;
}>;
export {};
//# sourceMappingURL=test-support.d.ts.map