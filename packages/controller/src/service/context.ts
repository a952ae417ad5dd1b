/**
 * @module
 * What the controller's gRPC services share: the store, the auth pipeline, routers, router tokens, listen queues.
 */
import type { DriverLogger } from "@jumpstarter/core";
import type { AuthContext } from "../auth/authenticate.js";
import type { Store } from "../store/store.js";
import type { ListenQueues } from "./listen-queues.js";
import type { RouterEntry } from "./routers.js";
import type { ResourceOptions } from "./conversions.js";

/** Mints the router token of one Dial (HS256, spec §6). */
export interface RouterTokenMinter {
  mint(): Promise<{ readonly token: string; readonly streamId: string }>;
}

/** Issues internal client/exporter tokens (RotateToken). */
export interface TokenMinter {
  issue(subject: { kind: "client" | "exporter"; namespace: string; name: string; uid: string }): Promise<{ readonly token: string; readonly expiresAt: Date }>;
}

/** Telemetry endpoint handed to exporters by GetServiceEndpoints. */
export interface TelemetryEndpointConfig {
  readonly endpoint: string;
  readonly certificate?: string;
  readonly minSeverity?: string;
}

/** Dependencies and settings of the services. */
export interface ServiceContext {
  readonly store: Store;
  readonly auth: AuthContext;
  /** The namespace this controller serves. */
  readonly namespace: string;
  /** Current router list (re-read on every Dial so it can change at runtime). */
  readonly routers: () => readonly RouterEntry[];
  readonly routerTokens: RouterTokenMinter;
  readonly tokens: TokenMinter;
  readonly queues: ListenQueues;
  readonly logger: DriverLogger;
  readonly resources?: ResourceOptions;
  /** `leasePolicy.maxTags` (default 10). */
  readonly maxTags?: number;
  readonly telemetry?: TelemetryEndpointConfig;
  /** Clock (tests). */
  readonly now?: () => Date;
  /** How long Dial waits for an `Available` exporter to become ready (default 30 s). */
  readonly dialReadyTimeoutMs?: number;
  /** Interval of the Status stream's lastSeen heartbeat (default 10 s). */
  readonly heartbeatMs?: number;
}

/** The context's clock. */
export function nowOf(context: ServiceContext): Date {
  return context.now ? context.now() : new Date();
}
