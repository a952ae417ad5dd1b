/**
 * @module
 * The caller check of every ClientService RPC: an authenticated client of the namespace its request names.
 */
import type { ServerUnaryCall } from "@grpc/grpc-js";
import { authenticateCall, requireNamespace } from "../auth/authenticate.js";
import type { Caller } from "../auth/authenticate.js";
import type { ServiceContext } from "./context.js";

/** Authenticates a client and checks that `namespace` is its own (PERMISSION_DENIED "namespace mismatch"). */
export async function clientOf(context: ServiceContext, call: ServerUnaryCall<unknown, unknown>, namespace: string): Promise<Extract<Caller, { kind: "Client" }>> {
  const caller = await authenticateCall(call.metadata, "Client", context.auth);
  requireNamespace(caller, namespace);
  return caller;
}
