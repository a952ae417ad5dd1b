/**
 * @module
 * The server side of one HTTP/2 connection (RFC 9113), just as much as gRPC needs: no push, no priorities,
 * no upgrade from HTTP/1.1.
 *
 * Two choices set it apart from Node's `http2` module, and both are why it exists (BENCHMARKS.md):
 * - It never stops reading its socket. Node's HTTP/2 stops reading while one of its own writes is pending, so
 *   two Node peers with wide windows deadlock on a stream busy both ways. Here received bytes are bounded by
 *   the windows this side grants, and it grants them only as its calls consume what they received.
 * - Frames produced while handling what one read brought (a unary call's response headers, message and
 *   trailers; window updates) leave in one socket write.
 */
import type { Socket } from "node:net";
import { HpackEncoder } from "./hpack/index.js";
/** Receive windows and limits of a connection. */
export interface ConnectionLimits {
    /** Receive window of each stream (SETTINGS_INITIAL_WINDOW_SIZE). */
    readonly streamWindow: number;
    /** Receive window of the whole connection. */
    readonly connectionWindow: number;
    /** Largest header block accepted (SETTINGS_MAX_HEADER_LIST_SIZE). */
    readonly maxHeaderListSize: number;
    /** Streams open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
    readonly maxConcurrentStreams: number;
}
type Outbound = {
    readonly kind: "headers";
    readonly block: Buffer;
    readonly endStream: boolean;
} | {
    kind: "data";
    chunks: Buffer[];
    length: number;
    readonly callback: (() => void) | undefined;
};
/** What a stream tells its owner (the gRPC call); set by the server when the stream opens. */
export interface StreamHandler {
    /** A DATA payload; give its bytes back with {@link ServerStream.release} once consumed. */
    data(chunk: Buffer): void;
    /** The peer half-closed the stream. */
    end(): void;
    /** The peer reset the stream, or the connection went away before the stream finished. */
    reset(code: number): void;
}
/** One request stream. */
export declare class ServerStream {
    readonly id: number;
    readonly connection: Http2ServerConnection;
    handler: StreamHandler | undefined;
    /** Flow-control window for what this side sends. */
    sendWindow: number;
    /** Bytes consumed and not yet given back with a WINDOW_UPDATE. */
    credit: number;
    readonly queue: Outbound[];
    remoteClosed: boolean;
    localClosed: boolean;
    closed: boolean;
    /** Bytes received and not yet released. */
    received: number;
    /** Once the response has ended, reset a request still streaming in (RST_STREAM NO_ERROR). */
    resetWhenSent: boolean;
    constructor(id: number, connection: Http2ServerConnection, sendWindow: number);
    /** Queues response (or trailing) headers. */
    sendHeaders(fields: Iterable<readonly [string, string]>, endStream: boolean): void;
    /** Queues an already encoded header block (see {@link Http2ServerConnection.encoder}). */
    sendHeaderBlock(block: Buffer, endStream: boolean): void;
    /**
     * Queues DATA carrying `chunks` (`length` bytes); `callback` runs once the last byte was handed to the
     * socket (or the stream closed first).
     */
    sendData(chunks: Buffer[], length: number, callback?: () => void): void;
    /** Gives `bytes` of received DATA back to the peer's windows. */
    release(bytes: number): void;
    /** Resets the stream (RST_STREAM `code`) and forgets it. */
    reset(code?: number): void;
}
/** Receives a new stream with its request headers; must set `stream.handler`. */
export type StreamListener = (stream: ServerStream, headers: Array<[string, string]>) => void;
/** The server side of one HTTP/2 connection over `socket`. */
export declare class Http2ServerConnection {
    #private;
    readonly socket: Socket;
    readonly encoder: HpackEncoder;
    constructor(socket: Socket, limits: ConnectionLimits, onStream: StreamListener);
    /** Streams currently open. */
    get openStreams(): number;
    /** Runs `listener` once the connection is gone. */
    onClose(listener: () => void): void;
    /** Refuses new streams (GOAWAY NO_ERROR); streams already open go on. */
    goAway(): void;
    /** Resets every stream and closes the socket. */
    destroy(): void;
    /** Gives `bytes` back to the peer's stream and connection windows, in WINDOW_UPDATEs of useful size. */
    release(stream: ServerStream, bytes: number): void;
    /** Sends RST_STREAM `code` (unless `quiet`) and forgets the stream, telling its handler when `notify`. */
    resetStream(stream: ServerStream, code: number, notify: boolean, quiet?: boolean): void;
    /** Arranges a flush of queued frames (for `stream`, when given) at the end of this turn of the event loop. */
    schedule(stream?: ServerStream): void;
}
export {};
//# sourceMappingURL=connection.d.ts.map