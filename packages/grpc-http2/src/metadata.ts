/**
 * @module
 * gRPC call metadata as HTTP/2 header fields and back ("Custom-Metadata" in gRPC over HTTP/2): `-bin` keys
 * travel base64-encoded, repeated keys as repeated fields.
 */
import type { Metadata } from "@grpc/grpc-js";

/** The header fields carrying `metadata`. */
export function metadataFields(metadata: Metadata | undefined): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  if (!metadata) return fields;
  for (const [key, values] of Object.entries(metadata.toHttp2Headers())) {
    if (values === undefined) continue;
    for (const value of Array.isArray(values) ? values : [values]) fields.push([key, String(value)]);
  }
  return fields;
}

/** Adds one received header field to `metadata`; a key grpc-js would refuse is not metadata and is skipped. */
export function addMetadataField(metadata: Metadata, name: string, value: string): void {
  try {
    if (name.endsWith("-bin")) for (const part of value.split(",")) metadata.add(name, Buffer.from(part.trim(), "base64"));
    else metadata.add(name, value);
  } catch {
    // Not call metadata.
  }
}
