/**
 * @module
 * client.v1 resource names (`namespaces/<ns>`, `namespaces/<ns>/<collection>/<name>`) with the reference's
 * INVALID_ARGUMENT texts.
 */
import { Code, JumpstarterError } from "@jumpstarter/core";

/** Collections of client.v1 resource names. */
export type Collection = "exporters" | "leases" | "clients";

/** A parsed object name. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

function invalid(message: string): JumpstarterError {
  return new JumpstarterError(message, Code.INVALID_ARGUMENT);
}

/** Parses `namespaces/<ns>`. */
export function parseNamespaceName(identifier: string): string {
  const segments = identifier.split("/");
  if (segments.length !== 2) {
    throw invalid(`invalid number of segments in identifier "${identifier}", expecting 2, got ${segments.length}`);
  }
  if (segments[0] !== "namespaces") {
    throw invalid(`invalid first segment in identifier "${identifier}", expecting "namespaces", got "${segments[0]}"`);
  }
  return segments[1]!;
}

/** Parses `namespaces/<ns>/<collection>/<name>`. */
export function parseObjectName(identifier: string, collection: Collection): ObjectKey {
  const segments = identifier.split("/");
  if (segments.length !== 4) {
    throw invalid(`invalid number of segments in identifier "${identifier}", expecting 4, got ${segments.length}`);
  }
  if (segments[0] !== "namespaces") {
    throw invalid(`invalid first segment in identifier "${identifier}", expecting "namespaces", got "${segments[0]}"`);
  }
  if (segments[2] !== collection) {
    throw invalid(`invalid third segment in identifier "${identifier}", expecting "${collection}", got "${segments[2]}"`);
  }
  return { namespace: segments[1]!, name: segments[3]! };
}

/** Formats `namespaces/<ns>/<collection>/<name>`. */
export function objectName(namespace: string, collection: Collection, name: string): string {
  return `namespaces/${namespace}/${collection}/${name}`;
}

/** The text of the reference's "object not found" errors (a Kubernetes API error, sent as UNKNOWN). */
export function notFound(collection: Collection, name: string): JumpstarterError {
  return new JumpstarterError(`${collection}.jumpstarter.dev "${name}" not found`, Code.UNKNOWN);
}
