/**
 * @module
 * The controller's per-call authentication and authorization pipeline (spec §2): bearer token, token
 * verification, caller attributes from metadata, kind check, authorization against the stored record.
 */
import type { Metadata } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import type { ClientRecord, ExporterRecord, Store } from "../store/store.js";
import { bearerToken } from "./bearer.js";
import { goQuote, isPreExistingIdentity, normalizeOidcUsername } from "./oidc-name.js";

/** Caller kind as sent in `jumpstarter-kind`. */
export type CallerKind = "Client" | "Exporter";

/** Metadata keys of the caller's identity. */
export const KIND_KEY = "jumpstarter-kind";
export const NAMESPACE_KEY = "jumpstarter-namespace";
export const NAME_KEY = "jumpstarter-name";

/** Verifies bearer tokens; the internal ES256 issuer (and any other accepted issuer) implements it. */
export interface TokenVerifier {
  /**
   * Resolves with the authenticated username (`internal:<sub>` for internal tokens), `undefined` when no
   * authenticator accepts the token, or rejects with an error whose message goes to the caller
   * (an expired token's message contains "token is expired").
   */
  verify(token: string): Promise<{ readonly username: string } | undefined>;
}

/** What the pipeline needs. */
export interface AuthContext {
  readonly store: Store;
  readonly verifier: TokenVerifier;
  /** Username prefix of internal tokens (default `internal:`). */
  readonly internalPrefix?: string;
}

/** An authenticated and authorized caller. */
export type Caller =
  | { readonly kind: "Client"; readonly username: string; readonly record: ClientRecord }
  | { readonly kind: "Exporter"; readonly username: string; readonly record: ExporterRecord };

/** The internal username of an object: `<prefix><kind>:<namespace>:<name>:<uid>` with the kind in lower case. */
export function internalUsername(kind: CallerKind, record: { namespace: string; name: string; uid: string }, prefix = "internal:"): string {
  return `${prefix}${kind.toLowerCase()}:${record.namespace}:${record.name}:${record.uid}`;
}

function single(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  if (values.length > 1) throw new JumpstarterError(`multiple metadata: ${key}`, Code.INVALID_ARGUMENT);
  const value = values[0];
  return value === undefined ? undefined : value.toString();
}

function required(metadata: Metadata, key: string): string {
  const value = single(metadata, key);
  if (value === undefined) throw new JumpstarterError(`missing metadata: ${key}`, Code.INVALID_ARGUMENT);
  return value;
}

/** Step 2: who the token says the caller is. */
async function authenticateToken(token: string, verifier: TokenVerifier): Promise<string> {
  let result: { readonly username: string } | undefined;
  try {
    result = await verifier.verify(token);
  } catch (error) {
    if (error instanceof JumpstarterError) throw error;
    throw new JumpstarterError(error instanceof Error ? error.message : String(error), Code.UNKNOWN, { cause: error });
  }
  if (!result) throw new JumpstarterError("failed to authenticate token", Code.UNKNOWN);
  return result.username;
}

/** Step 3: namespace, kind and object name from metadata. */
function attributes(metadata: Metadata, username: string, prefix: string): { namespace: string; kind: string; name: string } {
  const namespace = required(metadata, NAMESPACE_KEY);
  const kind = required(metadata, KIND_KEY);
  let provided = "";
  try {
    provided = single(metadata, NAME_KEY) ?? "";
  } catch {
    provided = "";
  }
  if (isPreExistingIdentity(username, prefix)) {
    if (provided === "") throw new JumpstarterError("resource name required for pre-existing authentication", Code.INVALID_ARGUMENT);
    return { namespace, kind, name: provided };
  }
  const expected = normalizeOidcUsername(username);
  if (provided !== "" && provided !== expected) {
    throw new JumpstarterError(
      `resource name mismatch: provided ${goQuote(provided)} but expected ${goQuote(expected)} (derived from OIDC username ${goQuote(username)})`,
      Code.INVALID_ARGUMENT,
    );
  }
  return { namespace, kind, name: expected };
}

/**
 * Runs the pipeline for a call that requires `kind`. Every failure is a JumpstarterError with the reference's
 * status code and text.
 */
export async function authenticateCall(metadata: Metadata, kind: "Client", context: AuthContext): Promise<Extract<Caller, { kind: "Client" }>>;
export async function authenticateCall(metadata: Metadata, kind: "Exporter", context: AuthContext): Promise<Extract<Caller, { kind: "Exporter" }>>;
export async function authenticateCall(metadata: Metadata, kind: CallerKind, context: AuthContext): Promise<Caller>;
export async function authenticateCall(metadata: Metadata, kind: CallerKind, context: AuthContext): Promise<Caller> {
  const prefix = context.internalPrefix ?? "internal:";
  const token = bearerToken(metadata);
  const username = await authenticateToken(token, context.verifier);
  const attrs = attributes(metadata, username, prefix);
  if (attrs.kind !== kind) throw new JumpstarterError("object kind mismatch", Code.INVALID_ARGUMENT);
  const lower = kind.toLowerCase();
  const record = kind === "Client" ? await context.store.getClient(attrs.namespace, attrs.name) : await context.store.getExporter(attrs.namespace, attrs.name);
  if (!record) {
    throw new JumpstarterError(`${lower} ${attrs.namespace}/${attrs.name}: ${lower}s.jumpstarter.dev ${goQuote(attrs.name)} not found`, Code.UNKNOWN);
  }
  const allowed = username === internalUsername(kind, record, prefix) || (record.username !== undefined && record.username === username);
  if (!allowed) throw new JumpstarterError(`permission denied for ${lower} ${attrs.namespace}/${attrs.name}`, Code.PERMISSION_DENIED);
  return kind === "Client" ? { kind, username, record: record as ClientRecord } : { kind, username, record: record as ExporterRecord };
}

/** The kind a caller claims in metadata, for RPCs that serve both (ReleaseLease). */
export function claimedKind(metadata: Metadata): string | undefined {
  const value = metadata.get(KIND_KEY)[0];
  return value === undefined ? undefined : value.toString();
}

/** ClientService's extra check: the namespace named in the request must be the caller's (PERMISSION_DENIED "namespace mismatch"). */
export function requireNamespace(caller: Caller, namespace: string): void {
  if (caller.record.namespace !== namespace) throw new JumpstarterError("namespace mismatch", Code.PERMISSION_DENIED);
}
