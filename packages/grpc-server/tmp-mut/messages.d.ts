/**
 * @module
 * gRPC's length-prefixed messages on an HTTP/2 stream (gRPC over HTTP/2, "Length-Prefixed-Message"), and the
 * `grpc-message` / `grpc-timeout` encodings.
 */
/** One received message: `compressed` is the prefix's flag. */
export interface ReceivedMessage {
    readonly compressed: boolean;
    readonly data: Buffer;
}
/** Thrown when a message announces more bytes than allowed. */
export declare class MessageTooLargeError extends Error {
    readonly size: number;
    readonly limit: number;
    constructor(size: number, limit: number);
}
/**
 * Reassembles messages from DATA payloads. A message inside one payload is a view of it; a message spread over
 * several payloads is gathered into one buffer.
 */
export declare class MessageReader {
    #private;
    constructor(limit: number);
    /** Bytes held for a message not yet complete. */
    get buffered(): number;
    /** Adds a payload; returns the messages it completed. Throws {@link MessageTooLargeError}. */
    push(chunk: Buffer): ReceivedMessage[];
}
/** The 5-byte prefix of an uncompressed message of `size` bytes. */
export declare function messagePrefix(size: number): Buffer;
/** Percent-encodes a status message for `grpc-message` (gRPC over HTTP/2, "Status-Message"). */
export declare function encodeGrpcMessage(message: string): string;
/** Milliseconds of a `grpc-timeout` value, or `undefined` when it is malformed. */
export declare function parseGrpcTimeout(value: string): number | undefined;
//# sourceMappingURL=messages.d.ts.map