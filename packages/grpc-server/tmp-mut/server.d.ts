import type { ServiceDefinition } from "@grpc/grpc-js";
import type { CallStatus } from "./calls.js";
import { ErrorCode } from "./frames.js";
/** Options of a {@link GrpcServer}. */
export interface GrpcServerOptions {
    /** Receive window of each stream; default 4 MiB. */
    readonly streamWindow?: number;
    /** Receive window of each connection; default 16 MiB. */
    readonly connectionWindow?: number;
    /** Largest request message; default 64 MiB. Larger ones fail with RESOURCE_EXHAUSTED. */
    readonly maxReceiveMessageLength?: number;
    /** Streams open at once per connection; default 1000. */
    readonly maxConcurrentStreams?: number;
    /** Largest request header list; default 64 KiB. */
    readonly maxHeaderListSize?: number;
}
/** TLS material for a TCP listener (PEM). */
export interface GrpcServerTls {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    /** When set, clients must present a certificate signed by this CA. */
    readonly clientCa?: string | Buffer;
}
type Handler = (...args: never[]) => void;
/** Serves grpc-js service implementations over this package's own HTTP/2 connections. */
export declare class GrpcServer {
    #private;
    constructor(options?: GrpcServerOptions);
    /** Registers the handlers of `service` (method names as grpc-js expects them, e.g. `driverCall`). */
    addService(service: ServiceDefinition, implementation: Readonly<Record<string, Handler>>): void;
    /**
     * Listens on `address`: `unix:/path`, or `host:port` (port 0 picks one; `[v6]:port` for IPv6). Resolves with
     * the bound address (`unix:/path` or `host:port` with the real port).
     */
    listen(address: string, secure?: GrpcServerTls): Promise<string>;
    /** Stops listening, resets every call in flight and closes every connection. */
    close(): Promise<void>;
}
export type { CallStatus };
export { ErrorCode };
//# sourceMappingURL=server.d.ts.map