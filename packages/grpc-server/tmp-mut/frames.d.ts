/**
 * @module
 * HTTP/2 framing (RFC 9113 §4, §6): frame and setting identifiers, frame headers, and a reader that cuts a
 * byte stream into frames without copying a frame that arrived in one piece.
 */
/** Frame types. */
export declare const FrameType: {
    readonly DATA: 0;
    readonly HEADERS: 1;
    readonly PRIORITY: 2;
    readonly RST_STREAM: 3;
    readonly SETTINGS: 4;
    readonly PUSH_PROMISE: 5;
    readonly PING: 6;
    readonly GOAWAY: 7;
    readonly WINDOW_UPDATE: 8;
    readonly CONTINUATION: 9;
};
/** Frame flags (END_STREAM and ACK share a bit). */
export declare const Flag: {
    readonly END_STREAM: 1;
    readonly ACK: 1;
    readonly END_HEADERS: 4;
    readonly PADDED: 8;
    readonly PRIORITY: 32;
};
/** Error codes of RST_STREAM and GOAWAY. */
export declare const ErrorCode: {
    readonly NO_ERROR: 0;
    readonly PROTOCOL_ERROR: 1;
    readonly INTERNAL_ERROR: 2;
    readonly FLOW_CONTROL_ERROR: 3;
    readonly STREAM_CLOSED: 5;
    readonly FRAME_SIZE_ERROR: 6;
    readonly REFUSED_STREAM: 7;
    readonly CANCEL: 8;
    readonly COMPRESSION_ERROR: 9;
    readonly ENHANCE_YOUR_CALM: 11;
};
/** SETTINGS identifiers. */
export declare const Setting: {
    readonly HEADER_TABLE_SIZE: 1;
    readonly ENABLE_PUSH: 2;
    readonly MAX_CONCURRENT_STREAMS: 3;
    readonly INITIAL_WINDOW_SIZE: 4;
    readonly MAX_FRAME_SIZE: 5;
    readonly MAX_HEADER_LIST_SIZE: 6;
};
/** The client connection preface (RFC 9113 §3.4). */
export declare const CLIENT_PREFACE: Buffer<ArrayBuffer>;
/** The default and minimum SETTINGS_MAX_FRAME_SIZE. */
export declare const DEFAULT_MAX_FRAME_SIZE = 16384;
/** The initial flow-control window of every stream and of the connection. */
export declare const DEFAULT_WINDOW = 65535;
/** Largest flow-control window (2^31 - 1). */
export declare const MAX_WINDOW = 2147483647;
/** Length of a frame header. */
export declare const FRAME_HEADER_LENGTH = 9;
/** A received frame; `payload` may be a view into the socket's read buffer. */
export interface Frame {
    readonly type: number;
    readonly flags: number;
    readonly streamId: number;
    readonly payload: Buffer;
}
/** Writes a frame header at `offset` of `target`. */
export declare function writeFrameHeader(target: Buffer, offset: number, length: number, type: number, flags: number, streamId: number): void;
/** One whole frame with `payload` copied after its header. */
export declare function encodeFrame(type: number, flags: number, streamId: number, payload?: Uint8Array): Buffer;
/** A SETTINGS frame carrying `settings` (identifier → value). */
export declare function encodeSettings(settings: ReadonlyMap<number, number>): Buffer;
/** A WINDOW_UPDATE frame. */
export declare function encodeWindowUpdate(streamId: number, increment: number): Buffer;
/** A RST_STREAM frame. */
export declare function encodeRstStream(streamId: number, code: number): Buffer;
/** A GOAWAY frame. */
export declare function encodeGoaway(lastStreamId: number, code: number, debug?: string): Buffer;
/** Thrown for a frame whose declared length exceeds what was advertised. */
export declare class FrameSizeError extends Error {
}
/**
 * Cuts the bytes read from a connection into frames. A frame that arrived within one read is a view of that
 * read's buffer; only a frame spread over several reads is gathered into a buffer of its own.
 */
export declare class FrameReader {
    #private;
    constructor(maxFrameSize: number);
    /** Bytes received and not yet returned as frames. */
    get available(): number;
    push(chunk: Buffer): void;
    /** Takes `length` bytes off the front (for the connection preface). */
    take(length: number): Buffer | undefined;
    /** The next complete frame, or `undefined` until more bytes arrive; throws {@link FrameSizeError}. */
    next(): Frame | undefined;
}
//# sourceMappingURL=frames.d.ts.map