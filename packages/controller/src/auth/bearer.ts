/**
 * @module
 * Extraction of the bearer token from gRPC call metadata, with the reference controller's status codes.
 */
import type { Metadata } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";

const PREFIX = "bearer ";

/**
 * Returns the token of the single `authorization: Bearer <token>` header.
 *
 * Throws INVALID_ARGUMENT "missing metadata" (no metadata at all), UNAUTHENTICATED "missing authorization header",
 * INVALID_ARGUMENT "multiple authorization headers" or INVALID_ARGUMENT "malformed authorization header" (the prefix
 * is compared case-insensitively).
 */
export function bearerToken(metadata: Metadata | undefined): string {
  if (!metadata) throw new JumpstarterError("missing metadata", Code.INVALID_ARGUMENT);
  const values = metadata.get("authorization");
  if (values.length === 0) throw new JumpstarterError("missing authorization header", Code.UNAUTHENTICATED);
  if (values.length > 1) throw new JumpstarterError("multiple authorization headers", Code.INVALID_ARGUMENT);
  const value = values[0];
  if (typeof value !== "string" || value.length < PREFIX.length || value.slice(0, PREFIX.length).toLowerCase() !== PREFIX) {
    throw new JumpstarterError("malformed authorization header", Code.INVALID_ARGUMENT);
  }
  return value.slice(PREFIX.length);
}

/** The first value of a metadata key as a string, or undefined. */
export function metadataValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.toString("utf8");
}
