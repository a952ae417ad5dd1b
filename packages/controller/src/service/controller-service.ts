/**
 * @module
 * `jumpstarter.v1.ControllerService` as a grpc-js implementation.
 */
import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { DialRequest, GetLeaseRequest, ListenRequest, RegisterRequest, ReleaseLeaseRequest, ReportStatusRequest, RequestLeaseRequest, StatusRequest, UnregisterRequest } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { claimedKind } from "../auth/authenticate.js";
import type { ServiceContext } from "./context.js";
import { dial } from "./dial.js";
import { getServiceEndpoints, listen, register, releaseLeaseAsExporter, reportStatus, unregister } from "./exporter-rpcs.js";
import { serverStream, unary } from "./handlers.js";
import { getLeaseLegacy, listLeasesLegacy, releaseLeaseAsClient, requestLeaseLegacy } from "./legacy-rpcs.js";
import { statusStream } from "./status-stream.js";
import type { WatchHub } from "./watch-hub.js";

/** The grpc-js definition of `jumpstarter.v1.ControllerService`. */
export const controllerServiceDefinition: ServiceDefinition = grpcServiceDefinition(ControllerService);

/** Builds the ControllerService implementation over `context`. */
export function controllerServiceImplementation(context: ServiceContext, hub: WatchHub): UntypedServiceImplementation {
  return {
    register: unary((request: RegisterRequest, call) => register(context, request, call)),
    unregister: unary((request: UnregisterRequest, call) => unregister(context, request, call)),
    reportStatus: unary((request: ReportStatusRequest, call) => reportStatus(context, request, call)),
    listen: serverStream((request: ListenRequest, call, signal) => listen(context, request, call, signal)),
    status: serverStream((_request: StatusRequest, call, signal) => statusStream(context, hub, call, signal)),
    dial: unary((request: DialRequest, call) => dial(context, request, call)),
    getLease: unary((request: GetLeaseRequest, call) => getLeaseLegacy(context, request, call)),
    requestLease: unary((request: RequestLeaseRequest, call) => requestLeaseLegacy(context, request, call)),
    releaseLease: unary((request: ReleaseLeaseRequest, call) =>
      claimedKind(call.metadata) === "Exporter" ? releaseLeaseAsExporter(context, request, call) : releaseLeaseAsClient(context, request, call),
    ),
    listLeases: unary((_request: unknown, call) => listLeasesLegacy(context, call)),
    getServiceEndpoints: unary((_request: unknown, call) => getServiceEndpoints(context, call)),
  };
}
