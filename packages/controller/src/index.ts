/**
 * @module
 * `@jumpstarter/controller`: the Jumpstarter controller and router. This entry lists the store, lease
 * scheduling, identity and token APIs.
 */

// Store
export type {
  Store,
  StoreEvent,
  StoreListener,
  ClientRecord,
  ExporterRecord,
  LeaseRecord,
  LeaseSpec,
  LeaseStatus,
  DeviceRecord,
  Condition,
  Credential,
  ObjectMeta,
  NewObject,
  ListOptions,
  LeaseListOptions,
  Page,
  ExporterStatusName,
} from "./store/store.js";
export { StoreError, AlreadyExistsError, ObjectNotFoundError, StoreConflictError, ExporterBusyError } from "./store/errors.js";

// Selectors and labels
export {
  parseSelector,
  parseRequirements,
  toLabelSelector,
  formatSelector,
  matchesSelector,
  isEmptySelector,
  emptySelector,
  SelectorError,
} from "./leases/selector.js";
export type { LabelSelector, LabelSelectorRequirement, LabelSelectorOperator, Requirement, SelectorOperator } from "./leases/selector.js";
export { labelKeyError, labelValueError } from "./leases/labels.js";
export { openStore } from "./store/open-store.js";
export type { OpenStoreOptions } from "./store/open-store.js";
export { modifyExporter, modifyLease, modifyClient } from "./store/modify.js";
export type { Mutation } from "./store/modify.js";

// Leases
export { reconcileLeaseTimes, LeaseTimeError } from "./leases/times.js";
export type { LeaseTimes } from "./leases/times.js";
export { formatGoDuration, formatGoDurationNanos } from "./leases/go-duration.js";
export {
  LeaseConditionType,
  LeaseReason,
  READY_MESSAGE,
  queueSuffix,
  queuePositionOf,
  findCondition,
  isConditionTrue,
  setCondition,
} from "./leases/conditions.js";
export type { LeaseReasonName, ConditionUpdate } from "./leases/conditions.js";
export { exporterLiveness, LIVENESS_TIMEOUT_MS, CONNECTION_LOST_MESSAGE } from "./leases/liveness.js";
export type { ExporterLiveness } from "./leases/liveness.js";
export { planPass, leaseExpiry } from "./leases/plan.js";
export type { LeaseAction, Plan } from "./leases/plan.js";
export { applyAction, LEASE_ENDED_LABEL } from "./leases/apply.js";
export { LeaseScheduler } from "./leases/scheduler.js";
export type { LeaseSchedulerOptions } from "./leases/scheduler.js";
export {
  newLeaseRecord,
  leaseTagsError,
  leaseLabels,
  requestLeaseRelease,
  RESERVED_LABEL_PREFIX,
  TAG_LABEL_PREFIX,
  DEFAULT_MAX_TAGS,
} from "./leases/new-lease.js";
export type { LeaseRequest } from "./leases/new-lease.js";

// Identities and tokens
export {
  TokenIssuer,
  TokenError,
  INTERNAL_ISSUER,
  INTERNAL_AUDIENCE,
  INTERNAL_PREFIX,
  DEFAULT_TOKEN_LIFETIME_MS,
  SIGNING_KEY_NAME,
  tokenSubject,
  parseTokenSubject,
  signingKeyFromSeed,
} from "./auth/tokens.js";
export type { IdentityKind, TokenSubject, IssuedToken, VerifiedToken, TokenIssuerOptions } from "./auth/tokens.js";
export { RouterTokens, ROUTER_TOKEN_LIFETIME_MS, ROUTER_KEY_NAME } from "./auth/tokens-router.js";
export type { RouterToken } from "./auth/tokens-router.js";
export { Identities } from "./identity/identities.js";
export type { IdentityRecord, CreateIdentityOptions, CreateExporterOptions, IdentityWithToken } from "./identity/identities.js";

// Services, router and process (controller services engineer)
export { startController } from "./service/controller-server.js";
export type { ControllerServerOptions, RunningController } from "./service/controller-server.js";
export type { RouterTokenMinter, TokenMinter, TelemetryEndpointConfig } from "./service/context.js";
export type { ResourceOptions } from "./service/conversions.js";
export { authenticateCall, internalUsername } from "./auth/authenticate.js";
export type { TokenVerifier, AuthContext, Caller, CallerKind } from "./auth/authenticate.js";
export { bearerToken } from "./auth/bearer.js";
export { chooseRouter, routerScore, parseRouterMap, loadRouterMap } from "./service/routers.js";
export type { RouterEntry } from "./service/routers.js";
export { HealthService, healthServiceDefinition } from "./service/health.js";
export { StreamRouter } from "./router/stream-router.js";
export type { StreamRouterOptions, StreamRouterStats } from "./router/stream-router.js";
export { RouterTunnelClient, bridgeStreams } from "./router/tunnel.js";
export type { RouterTunnelClientOptions, TunnelTls } from "./router/tunnel.js";
export { ROUTER_TOKEN_ISSUER, ROUTER_TOKEN_AUDIENCE } from "./router/router-auth.js";
export { ensureSelfSignedTls, loadTlsFiles } from "./tls/self-signed.js";
export type { TlsMaterial } from "./tls/self-signed.js";
export { runController } from "./bin/controller-command.js";
export type { ControllerSettings, ControllerProcess } from "./bin/controller-command.js";
export { runRouter } from "./bin/router-command.js";
export type { RouterSettings, RouterProcess } from "./bin/router-command.js";
export { readControllerInfo, writeControllerInfo, controllerInfoPath } from "./bin/controller-info.js";
export type { ControllerInfo } from "./bin/controller-info.js";
export { defaultDatabase, defaultStateDir, stateDirFor, isPostgres } from "./bin/paths.js";
