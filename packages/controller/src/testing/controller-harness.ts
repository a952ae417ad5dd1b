/**
 * @module
 * A controller on 127.0.0.1 over a temporary SQLite store, with typed gRPC clients that send the identity
 * metadata of a chosen client or exporter. For service tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { TokenVerifier } from "../auth/authenticate.js";
import { ensureSelfSignedTls } from "../tls/self-signed.js";
import { openStore } from "../store/open-store.js";
import type { ClientRecord, ExporterRecord, Store } from "../store/store.js";
import type { ControllerServerOptions, RunningController } from "../service/controller-server.js";
import { startController } from "../service/controller-server.js";
import type { ControllerClients, Identity } from "./grpc-clients.js";
import { controllerClients } from "./grpc-clients.js";
import type { TestTokens } from "./test-tokens.js";
import { createTestTokens } from "./test-tokens.js";

export type { Identity } from "./grpc-clients.js";
export { identityMetadata } from "./grpc-clients.js";

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
  readonly unary: ControllerClients["unary"];
  readonly stream: ControllerClients["stream"];
  close(): Promise<void>;
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
  const clients = controllerClients(controller.address, credentials());
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clients.close();
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
    unary: (service, method, request, identity) => clients.unary(service, method, request, identity),
    stream: (method, request, identity) => clients.stream(method, request, identity),
    close,
    [Symbol.asyncDispose]: close,
  };
}
