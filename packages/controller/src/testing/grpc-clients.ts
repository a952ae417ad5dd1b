/**
 * @module
 * gRPC clients of ControllerService and ClientService that send a caller's identity metadata.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ClientService } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";

const ControllerClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ControllerService), "ControllerService");
const ClientClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ClientService), "ClientService");

/** Identity metadata of a caller. */
export interface Identity {
  readonly token: string;
  readonly kind: "Client" | "Exporter";
  readonly namespace: string;
  readonly name: string;
}

/** Metadata for an identity. */
export function identityMetadata(identity: Identity): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${identity.token}`);
  metadata.set("jumpstarter-kind", identity.kind);
  metadata.set("jumpstarter-namespace", identity.namespace);
  metadata.set("jumpstarter-name", identity.name);
  return metadata;
}

/** Calls on one controller endpoint. */
export interface ControllerClients {
  /** Calls a unary method; rejects with the grpc ServiceError. */
  unary<T = unknown>(service: "controller" | "client", method: string, request: object, identity?: Identity | grpc.Metadata): Promise<T>;
  /** Opens a server-streaming ControllerService call (listen, status); errors are left to `status`. */
  stream<T = unknown>(method: "listen" | "status", request: object, identity: Identity): grpc.ClientReadableStream<T>;
  close(): void;
}

/** Clients of the controller at `address`. */
export function controllerClients(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): ControllerClients {
  const controller = new ControllerClient(address, credentials, options);
  const client = new ClientClient(address, credentials, options);
  const metadataOf = (identity?: Identity | grpc.Metadata) => (identity instanceof grpc.Metadata ? identity : identity ? identityMetadata(identity) : new grpc.Metadata());
  return {
    unary<T>(service: "controller" | "client", method: string, request: object, identity?: Identity | grpc.Metadata) {
      const target = service === "controller" ? controller : client;
      const fn = (target as unknown as Record<string, (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: T) => void) => void>)[method]!;
      return new Promise<T>((resolve, reject) => fn.call(target, request, metadataOf(identity), (error, value) => (error ? reject(error) : resolve(value))));
    },
    stream<T>(method: "listen" | "status", request: object, identity: Identity) {
      const fn = (controller as unknown as Record<string, (r: object, m: grpc.Metadata) => grpc.ClientReadableStream<T>>)[method]!;
      const call = fn.call(controller, request, identityMetadata(identity));
      call.on("error", () => undefined);
      return call;
    },
    close() {
      controller.close();
      client.close();
    },
  };
}

/** Awaits a call that must be refused and returns the code and details of its gRPC error; fails if it succeeds. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, details } = error as grpc.ServiceError;
    return { code, details };
  }
  assert.fail("the call was accepted");
}
