/**
 * @module
 * `jmp-controller router`: a router process on its own. It needs the router key the controller signs router
 * tokens with: `--router-key`/`ROUTER_KEY`, or the controller's database (where the generated key is kept).
 * Without certificate files it uses the controller's generated CA from the shared state directory, so the
 * client and exporter configs that trust the controller trust this router too.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DriverLogger } from "@jumpstarter/core";
import { routerServiceDefinition } from "@jumpstarter/core";
import { RouterTokens } from "../auth/tokens-router.js";
import { StreamRouter } from "../router/stream-router.js";
import { startGrpcServer } from "../service/grpc-server.js";
import type { GrpcServer } from "../service/grpc-server.js";
import { HealthService, healthServiceDefinition } from "../service/health.js";
import { openStore } from "../store/open-store.js";
import { ensureSelfSignedTls, loadTlsFiles } from "../tls/self-signed.js";
import { endpointHost } from "../tls/subject-names.js";
import { advertisedFor } from "./endpoints.js";
import { stateDirFor } from "./paths.js";

/** Settings of a router process. */
export interface RouterSettings {
  readonly listen: string;
  /** Advertised `host:port` (the certificate's SAN). */
  readonly endpoint?: string;
  readonly routerKey?: string;
  readonly database: string;
  readonly stateDir?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly plaintext?: boolean;
}

/** A running router process. */
export interface RouterProcess {
  readonly server: GrpcServer;
  readonly router: StreamRouter;
  readonly endpoint: string;
  close(): Promise<void>;
}

async function routerKey(settings: RouterSettings): Promise<Uint8Array> {
  if (settings.routerKey) return new RouterTokens(settings.routerKey).key;
  const store = await openStore(settings.database);
  try {
    return (await RouterTokens.open(store)).key;
  } finally {
    await store.close();
  }
}

/** Starts a router process. */
export async function runRouter(settings: RouterSettings, logger: DriverLogger): Promise<RouterProcess> {
  const stateDir = resolve(settings.stateDir ?? stateDirFor(settings.database));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const key = await routerKey(settings);
  let tls: { cert: string; key: string } | undefined;
  if (!settings.plaintext) {
    if (settings.tlsCert || settings.tlsKey) {
      if (!settings.tlsCert || !settings.tlsKey) throw new Error("--tls-cert and --tls-key go together");
      tls = await loadTlsFiles(settings.tlsCert, settings.tlsKey);
    } else {
      const host = endpointHost(settings.endpoint ?? advertisedFor(settings.listen));
      tls = await ensureSelfSignedTls(join(stateDir, "tls"), [host], `router-${host.replace(/[^A-Za-z0-9.-]/g, "_")}`);
    }
  }
  const router = new StreamRouter({ key, logger });
  const health = new HealthService(["jumpstarter.v1.RouterService"]);
  const server = await startGrpcServer({
    address: settings.listen,
    ...(tls ? { tls } : {}),
    services: [
      { definition: routerServiceDefinition, implementation: router.service },
      { definition: healthServiceDefinition, implementation: health.implementation },
    ],
  });
  const endpoint = settings.endpoint ?? advertisedFor(server.address);
  logger.info(`router serving on ${server.address} (endpoint ${endpoint}${tls ? ", TLS" : ", plaintext"})`);
  return {
    server,
    router,
    endpoint,
    close: async () => {
      health.shutdown();
      router.close();
      await server.close();
    },
  };
}
