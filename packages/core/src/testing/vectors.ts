/**
 * @module
 * Golden wire vectors captured from the reference Python exporter (`../shared/vectors/*.json` beside the
 * repository): loading, and decoding their raw messages with the generated schemas.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { fromBinary } from "@bufbuild/protobuf";

/** One message of a recorded call: its `MessageToDict` JSON and its exact wire bytes. */
export interface VectorMessage {
  readonly json: Record<string, unknown>;
  readonly raw_b64: string;
  /** RouterService frames only: the payload as text. */
  readonly payload_utf8?: string;
}

/** One recorded RPC. */
export interface VectorCall {
  readonly method: string;
  readonly request_metadata: ReadonlyArray<readonly [string, string]>;
  readonly requests: readonly VectorMessage[];
  readonly responses: readonly VectorMessage[];
  readonly response_initial_metadata: ReadonlyArray<readonly [string, string]>;
  readonly status_code: string;
  readonly status_details: string;
  readonly trailing_metadata: ReadonlyArray<readonly [string, string]>;
  readonly event_order: readonly string[];
}

/** A vector file; scenario-specific extra keys (`client_result`, `driver_uuids`…) stay reachable by name. */
export interface Vector {
  readonly scenario: string;
  readonly primary_method?: string;
  readonly calls: readonly VectorCall[];
  readonly [extra: string]: unknown;
}

/**
 * The vectors directory: `$JMP_VECTORS_DIR`, else `shared/vectors` next to the repository root
 * (four levels above this compiled file: `packages/core/dist/testing/`).
 */
export function vectorsDirectory(): string {
  return process.env["JMP_VECTORS_DIR"] ?? fileURLToPath(new URL("../../../../../shared/vectors/", import.meta.url));
}

/** Reads vector `name` (with or without `.json`). */
export function loadVector(name: string): Vector {
  const file = name.endsWith(".json") ? name : `${name}.json`;
  return JSON.parse(readFileSync(`${vectorsDirectory()}/${file}`, "utf8")) as Vector;
}

/** The recorded calls of `vector` to `method` (full path or its last segment, e.g. `DriverCall`). */
export function vectorCalls(vector: Vector, method: string): VectorCall[] {
  return vector.calls.filter((call) => call.method === method || call.method.endsWith(`/${method}`));
}

/** The raw bytes of a recorded message. */
export function vectorBytes(message: VectorMessage): Uint8Array {
  return new Uint8Array(Buffer.from(message.raw_b64, "base64"));
}

/** Decodes a recorded message's raw bytes with a generated schema. */
export function decodeVectorMessage<D extends DescMessage>(schema: D, message: VectorMessage): MessageShape<D> {
  return fromBinary(schema, vectorBytes(message));
}
