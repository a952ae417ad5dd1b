/**
 * @module
 * A running controller: ControllerService, ClientService and grpc.health.v1 on one TLS listener, the
 * RouterService on the same listener or a second one (or not at all, when routers run as separate processes),
 * and the lease scheduler.
 */
import type { DriverLogger } from "@jumpstarter/core";
import { routerServiceDefinition, silentLogger } from "@jumpstarter/core";
import type { TokenVerifier } from "../auth/authenticate.js";
import { LeaseScheduler } from "../leases/scheduler.js";
import { StreamRouter } from "../router/stream-router.js";
import type { Store } from "../store/store.js";
import { clientServiceDefinition, clientServiceImplementation } from "./client-service.js";
import type { RouterTokenMinter, ServiceContext, TelemetryEndpointConfig, TokenMinter } from "./context.js";
import { controllerServiceDefinition, controllerServiceImplementation } from "./controller-service.js";
import type { ResourceOptions } from "./conversions.js";
import { startGrpcServer } from "./grpc-server.js";
import type { GrpcServer, ServedService } from "./grpc-server.js";
import { HealthService, healthServiceDefinition } from "./health.js";
import { ListenQueues } from "./listen-queues.js";
import type { RouterEntry } from "./routers.js";
import { WatchHub } from "./watch-hub.js";

/** Options of {@link startController}. */
export interface ControllerServerOptions {
  readonly store: Store;
  /** The one namespace this controller serves (default "default"). */
  readonly namespace?: string;
  /** `host:port` of the controller listener (port 0 picks one). */
  readonly address: string;
  /** PEM server certificate and key; plaintext when omitted (tests and benchmarks only: reference clients need TLS). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * Where this process serves RouterService: `"same"` (default) on the controller listener, a `host:port` for a
   * second listener, or `"none"` when only external routers are used.
   */
  readonly routerListen?: "same" | "none" | string;
  /** HMAC key of router tokens, shared with every router. */
  readonly routerKey: string | Uint8Array;
  /**
   * Routers handed out on Dial. Default: this process's router, advertised as `routerEndpoint` (or the bound
   * router address).
   */
  readonly routers?: readonly RouterEntry[];
  /** Advertised endpoint of this process's router, or a function of its bound `host:port` (default: the bound address). */
  readonly routerEndpoint?: string | ((bound: string) => string);
  readonly verifier: TokenVerifier;
  readonly tokens: TokenMinter;
  readonly routerTokens: RouterTokenMinter;
  /** Run the lease scheduler in this process (default true). */
  readonly scheduler?: boolean;
  readonly logger?: DriverLogger;
  readonly resources?: ResourceOptions;
  readonly maxTags?: number;
  readonly telemetry?: TelemetryEndpointConfig;
  readonly internalPrefix?: string;
  readonly now?: () => Date;
  readonly dialReadyTimeoutMs?: number;
  readonly heartbeatMs?: number;
  /** Interval of the scheduler's safety-net pass in ms. */
  readonly schedulerResyncMs?: number;
}

/** A running controller. */
export interface RunningController extends AsyncDisposable {
  /** Bound `host:port` of the controller listener. */
  readonly address: string;
  /** Bound `host:port` of the router listener, when this process serves one. */
  readonly routerAddress?: string;
  /** The routers Dial hands out. */
  readonly routers: readonly RouterEntry[];
  readonly router?: StreamRouter;
  readonly health: HealthService;
  readonly scheduler?: LeaseScheduler;
  readonly queues: ListenQueues;
  /** Stops serving (health goes NOT_SERVING first), stops the scheduler. Does not close the store. */
  close(): Promise<void>;
}

/** Starts a controller over an opened store. */
export async function startController(options: ControllerServerOptions): Promise<RunningController> {
  const namespace = options.namespace ?? "default";
  const logger = options.logger ?? silentLogger;
  const routerMode = options.routerListen ?? "same";
  const router = routerMode === "none" ? undefined : new StreamRouter({ key: options.routerKey, logger });
  const queues = new ListenQueues();
  const hub = new WatchHub(options.store);
  let routers: readonly RouterEntry[] = options.routers ?? [];
  const context: ServiceContext = {
    store: options.store,
    auth: { store: options.store, verifier: options.verifier, ...(options.internalPrefix ? { internalPrefix: options.internalPrefix } : {}) },
    namespace,
    routers: () => routers,
    routerTokens: options.routerTokens,
    tokens: options.tokens,
    queues,
    logger,
    ...(options.resources ? { resources: options.resources } : {}),
    ...(options.maxTags !== undefined ? { maxTags: options.maxTags } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.dialReadyTimeoutMs !== undefined ? { dialReadyTimeoutMs: options.dialReadyTimeoutMs } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
  };
  const health = new HealthService(["jumpstarter.v1.ControllerService", "jumpstarter.client.v1.ClientService", ...(router ? ["jumpstarter.v1.RouterService"] : [])]);
  const services: ServedService[] = [
    { definition: controllerServiceDefinition, implementation: controllerServiceImplementation(context, hub) },
    { definition: clientServiceDefinition, implementation: clientServiceImplementation(context) },
    { definition: healthServiceDefinition, implementation: health.implementation },
  ];
  const routerService: ServedService | undefined = router ? { definition: routerServiceDefinition, implementation: router.service } : undefined;
  const servers: GrpcServer[] = [];
  let scheduler: LeaseScheduler | undefined;
  try {
    const main = await startGrpcServer({
      address: options.address,
      ...(options.tls ? { tls: options.tls } : {}),
      services: routerService && routerMode === "same" ? [...services, routerService] : services,
    });
    servers.push(main);
    let routerAddress: string | undefined = routerService && routerMode === "same" ? main.address : undefined;
    if (routerService && routerMode !== "same") {
      const second = await startGrpcServer({ address: routerMode, ...(options.tls ? { tls: options.tls } : {}), services: [routerService] });
      servers.push(second);
      routerAddress = second.address;
    }
    if (routers.length === 0 && routerAddress) {
      const advertised = options.routerEndpoint;
      const endpoint = typeof advertised === "function" ? advertised(routerAddress) : (advertised ?? routerAddress);
      routers = [{ name: "default", endpoint, labels: {} }];
    }
    if (options.scheduler !== false) {
      scheduler = new LeaseScheduler(options.store, {
        namespace,
        ...(options.now ? { now: options.now } : {}),
        ...(options.schedulerResyncMs !== undefined ? { resyncMs: options.schedulerResyncMs } : {}),
        onError: (error) => logger.warning(`lease scheduler: ${(error as Error).message}`),
      });
      scheduler.start();
    }
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        health.shutdown();
        queues.closeAll();
        router?.close();
        await scheduler?.stop();
        hub.close();
        await Promise.all(servers.map((server) => server.close()));
      })());
    return {
      address: main.address,
      ...(routerAddress ? { routerAddress } : {}),
      routers,
      ...(router ? { router } : {}),
      health,
      ...(scheduler ? { scheduler } : {}),
      queues,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await scheduler?.stop();
    hub.close();
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
}
