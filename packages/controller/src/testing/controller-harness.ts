/**
 * @module
 * A controller on 127.0.0.1 over a temporary SQLite store, with typed gRPC clients that send the identity
 * metadata of a chosen client or exporter. For service tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ClientService } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { TokenVerifier } from "../auth/authenticate.js";
import { ensureSelfSignedTls } from "../tls/self-signed.js";
import { openStore } from "../store/open-store.js";
import type { ClientRecord, ExporterRecord, Store } from "../store/store.js";
import type { ControllerServerOptions, RunningController } from "../service/controller-server.js";
import { startController } from "../service/controller-server.js";
import type { TestTokens } from "./test-tokens.js";
import { createTestTokens } from "./test-tokens.js";

const ControllerClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ControllerService), "ControllerService");
const ClientClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ClientService), "ClientService");

/** Identity metadata of a caller. */
export interface Identity {
  readonly token: string;
  readonly kind: "Client" | "Exporter";
  readonly namespace: string;
  readonly name: string;
}

/** A started controller and helpers around it. */
export interface Harness extends AsyncDisposable {
  readonly store: Store;
  readonly controller: RunningController;
  readonly tokens: TestTokens;
  readonly directory: string;
  /** The CA bundle clients trust when the harness serves TLS. */
  readonly ca?: string;
  /** Channel credentials for this controller (TLS with the CA, or plaintext). */
  credentials(): grpc.ChannelCredentials;
  /** Creates a client record and its identity. */
  addClient(name: string, labels?: Record<string, string>): Promise<{ record: ClientRecord; identity: Identity }>;
  /** Creates an exporter record and its identity. */
  addExporter(name: string, labels?: Record<string, string>): Promise<{ record: ExporterRecord; identity: Identity }>;
  /** Calls a unary ControllerService / ClientService method; rejects with the grpc ServiceError. */
  unary<T = unknown>(service: "controller" | "client", method: string, request: object, identity?: Identity | grpc.Metadata): Promise<T>;
  /** Opens a server-streaming ControllerService call (listen, status). */
  stream<T = unknown>(method: "listen" | "status", request: object, identity: Identity): grpc.ClientReadableStream<T>;
  close(): Promise<void>;
}

/** Metadata for an identity (or custom entries). */
export function identityMetadata(identity: Identity): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${identity.token}`);
  metadata.set("jumpstarter-kind", identity.kind);
  metadata.set("jumpstarter-namespace", identity.namespace);
  metadata.set("jumpstarter-name", identity.name);
  return metadata;
}

/** Extra harness settings. */
export interface HarnessSettings {
  /** Wraps the internal-token verifier (to add other authenticators). */
  readonly wrapVerifier?: (internal: TokenVerifier) => TokenVerifier;
  /** Serve TLS with a generated CA (clients verify against it). */
  readonly tls?: boolean;
}

/** Starts a harness; `options` override controller options. */
export async function startHarness(options: Partial<ControllerServerOptions> = {}, settings: HarnessSettings = {}): Promise<Harness> {
  const directory = await mkdtemp(join(tmpdir(), "jmp-controller-test-"));
  const store = await openStore(join(directory, "controller.db"));
  const tokens = await createTestTokens(store);
  const tls = settings.tls ? await ensureSelfSignedTls(join(directory, "tls"), ["127.0.0.1"]) : undefined;
  const controller = await startController({
    ...(tls ? { tls } : {}),
    store,
    address: "127.0.0.1:0",
    routerKey: tokens.routerTokens.key,
    verifier: settings.wrapVerifier ? settings.wrapVerifier(tokens.issuer) : tokens.issuer,
    tokens: tokens.issuer,
    routerTokens: tokens.routerTokens,
    schedulerResyncMs: 200,
    ...options,
  });
  const credentials = () => (tls ? grpc.credentials.createSsl(Buffer.from(tls.ca)) : grpc.credentials.createInsecure());
  const controllerClient = new ControllerClient(controller.address, credentials());
  const clientClient = new ClientClient(controller.address, credentials());
  const metadataOf = (identity?: Identity | grpc.Metadata) => (identity instanceof grpc.Metadata ? identity : identity ? identityMetadata(identity) : new grpc.Metadata());
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      controllerClient.close();
      clientClient.close();
      await controller.close();
      await store.close();
      await rm(directory, { recursive: true, force: true });
    })());
  return {
    store,
    controller,
    tokens,
    directory,
    ...(tls ? { ca: tls.ca } : {}),
    credentials,
    async addClient(name, labels = {}) {
      const record = await store.createClient({ namespace: "default", name, labels });
      const { token } = await tokens.issuer.issue({ kind: "client", namespace: "default", name, uid: record.uid });
      return { record, identity: { token, kind: "Client", namespace: "default", name } };
    },
    async addExporter(name, labels = {}) {
      const record = await store.createExporter({
        namespace: "default",
        name,
        labels,
        enabled: true,
        devices: null,
        status: "Unspecified",
        statusMessage: "",
        lastSeen: null,
      });
      const { token } = await tokens.issuer.issue({ kind: "exporter", namespace: "default", name, uid: record.uid });
      return { record, identity: { token, kind: "Exporter", namespace: "default", name } };
    },
    unary<T>(service: "controller" | "client", method: string, request: object, identity?: Identity | grpc.Metadata) {
      const target = (service === "controller" ? controllerClient : clientClient) as unknown as Record<
        string,
        (request: object, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response: T) => void) => void
      >;
      return new Promise<T>((resolve, reject) =>
        target[method]!.call(service === "controller" ? controllerClient : clientClient, request, metadataOf(identity), (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
    },
    stream<T>(method: "listen" | "status", request: object, identity: Identity) {
      const target = controllerClient as unknown as Record<string, (request: object, metadata: grpc.Metadata) => grpc.ClientReadableStream<T>>;
      const call = target[method]!.call(controllerClient, request, identityMetadata(identity));
      call.on("error", () => undefined);
      return call;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
