/**
 * @module
 * Who is calling the controller: every ControllerService / ClientService call carries `jumpstarter-kind`,
 * `jumpstarter-namespace`, `jumpstarter-name` and `authorization: Bearer <token>` (spec controller §2).
 */
import { ClientService } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { RouterService } from "@jumpstarter/protocol/gen/jumpstarter/v1/router_pb";
import { frameCodecs } from "@jumpstarter/core";
import { CliError } from "../errors.js";
import type { Endpoint, TlsSettings } from "./rpc.js";
import { RpcClient } from "./rpc.js";

/** A client or exporter identity with its token. */
export interface Identity {
  readonly kind: "Client" | "Exporter";
  readonly namespace: string;
  readonly name: string;
  readonly token: string;
}

/** The four metadata entries of every controller call. */
export function identityMetadata(identity: Identity): Record<string, string> {
  return {
    "jumpstarter-kind": identity.kind,
    "jumpstarter-namespace": identity.namespace,
    "jumpstarter-name": identity.name,
    authorization: `Bearer ${identity.token}`,
  };
}

/** A controller to talk to, as one identity. */
export interface ControllerAccess {
  readonly endpoint: Endpoint;
  readonly identity: Identity;
}

/** Checks that a config has what distributed mode needs. */
export function controllerAccess(
  what: string,
  kind: Identity["kind"],
  values: {
    endpoint: string | null | undefined;
    token: string | null | undefined;
    namespace: string | null | undefined;
    name: string;
    tls: TlsSettings;
    grpcOptions?: Readonly<Record<string, string | number>>;
  },
): ControllerAccess {
  if (!values.endpoint) throw new CliError(`${what} has no endpoint: the controller address is needed`);
  if (!values.token) throw new CliError(`${what} has no token`);
  if (!values.namespace) throw new CliError(`${what} has no metadata.namespace`);
  return {
    endpoint: { address: values.endpoint, tls: values.tls, ...(values.grpcOptions ? { grpcOptions: values.grpcOptions } : {}) },
    identity: { kind, namespace: values.namespace, name: values.name, token: values.token },
  };
}

/** A `jumpstarter.v1.ControllerService` client. */
export function controllerClient(access: ControllerAccess): RpcClient {
  return new RpcClient(ControllerService, access.endpoint, identityMetadata(access.identity));
}

/** A `jumpstarter.client.v1.ClientService` client. */
export function clientServiceClient(access: ControllerAccess): RpcClient {
  return new RpcClient(ClientService, access.endpoint, identityMetadata(access.identity));
}

/** A `jumpstarter.v1.RouterService` client for one router token (the only metadata the router needs). */
export function routerClient(address: string, token: string, tls: TlsSettings, grpcOptions?: Readonly<Record<string, string | number>>): RpcClient {
  return new RpcClient(RouterService, { address, tls, ...(grpcOptions ? { grpcOptions } : {}) }, { authorization: `Bearer ${token}` }, frameCodecs);
}
