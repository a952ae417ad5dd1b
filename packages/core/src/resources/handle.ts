/**
 * @module
 * Resource handles: how a call argument names a byte stream (spec driver-calls §6). They travel as JSON
 * objects (Structs), never as JSON strings.
 */
import { InvalidArgumentError } from "../errors.js";

/** Content encodings the protocol names. */
export type ContentEncoding = "gzip" | "xz" | "bz2" | "zstd";

const encodings: ReadonlySet<string> = new Set(["gzip", "xz", "bz2", "zstd"]);

/** A stream the client opened on the exporter connection before the call. */
export interface ClientStreamHandle {
  readonly kind: "client_stream";
  readonly uuid: string;
  readonly x_jmp_content_encoding: ContentEncoding | null;
}

/** An HTTP request the exporter performs itself. */
export interface PresignedRequestHandle {
  readonly kind: "presigned_request";
  readonly url: string;
  readonly method: "GET" | "PUT";
  readonly headers: Readonly<Record<string, string>>;
}

/** Any resource handle (discriminated on `kind`). */
export type ResourceHandle = ClientStreamHandle | PresignedRequestHandle;

/** Checks that a value is a content encoding name. */
export function isContentEncoding(value: unknown): value is ContentEncoding {
  return typeof value === "string" && encodings.has(value);
}

/** Validates a handle received as a call argument. */
export function parseResourceHandle(value: unknown): ResourceHandle {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`expected a resource handle object, got ${JSON.stringify(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (record["kind"] === "client_stream") {
    const encoding = record["x_jmp_content_encoding"] ?? null;
    if (typeof record["uuid"] !== "string") throw new InvalidArgumentError("client_stream handle needs a string uuid");
    if (encoding !== null && !isContentEncoding(encoding)) {
      throw new InvalidArgumentError(`unknown content encoding ${JSON.stringify(encoding)}`);
    }
    return { kind: "client_stream", uuid: record["uuid"], x_jmp_content_encoding: encoding };
  }
  if (record["kind"] === "presigned_request") {
    const method = record["method"];
    if (typeof record["url"] !== "string") throw new InvalidArgumentError("presigned_request handle needs a url");
    if (method !== "GET" && method !== "PUT") throw new InvalidArgumentError(`presigned_request method must be GET or PUT`);
    const headers: Record<string, string> = {};
    for (const [key, item] of Object.entries((record["headers"] as Record<string, unknown> | undefined) ?? {})) {
      headers[key] = String(item);
    }
    return { kind: "presigned_request", url: record["url"], method, headers };
  }
  throw new InvalidArgumentError(`unknown resource handle kind ${JSON.stringify(record["kind"])}`);
}
