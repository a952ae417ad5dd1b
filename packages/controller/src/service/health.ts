/**
 * @module
 * `grpc.health.v1.Health` (no authentication): the overall server ("") and each served service report SERVING
 * until the controller starts shutting down.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import type { HealthCheckRequest, HealthCheckResponseSchema, HealthListResponseSchema } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import { serverStream, unary } from "./handlers.js";

export { ServingStatus };

/** The grpc-js definition of `grpc.health.v1.Health`. */
export const healthServiceDefinition: ServiceDefinition = grpcServiceDefinition(Health);

type CheckResponse = MessageInitShape<typeof HealthCheckResponseSchema>;

/** Health state of a server's services. */
export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #watchers = new Set<() => void>();

  /** `services`: fully qualified names of the served services; "" (the whole server) is always known. */
  constructor(services: readonly string[]) {
    for (const name of ["", ...services]) this.#statuses.set(name, ServingStatus.SERVING);
  }

  /** Sets one service's status ("" for the server). */
  set(service: string, status: ServingStatus): void {
    this.#statuses.set(service, status);
    for (const wake of [...this.#watchers]) wake();
  }

  /** Marks everything NOT_SERVING (shutdown). */
  shutdown(): void {
    for (const name of this.#statuses.keys()) this.set(name, ServingStatus.NOT_SERVING);
  }

  /** The grpc-js implementation. */
  get implementation(): UntypedServiceImplementation {
    return {
      check: unary(async (request: HealthCheckRequest): Promise<CheckResponse> => {
        const status = this.#statuses.get(request.service);
        if (status === undefined) throw new JumpstarterError("unknown service", Code.NOT_FOUND);
        return { status };
      }),
      list: unary(async (): Promise<MessageInitShape<typeof HealthListResponseSchema>> => ({
        statuses: Object.fromEntries([...this.#statuses].map(([name, status]) => [name, { status }])),
      })),
      watch: serverStream<HealthCheckRequest, CheckResponse>(async (request, call, signal) => {
        let last: ServingStatus | undefined;
        let wake: (() => void) | undefined;
        const notify = () => wake?.();
        this.#watchers.add(notify);
        signal.addEventListener("abort", notify);
        try {
          while (!signal.aborted) {
            const status = this.#statuses.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN;
            if (status !== last) {
              call.write({ status });
              last = status;
            }
            await new Promise<void>((resolve) => (wake = resolve));
          }
        } finally {
          this.#watchers.delete(notify);
          signal.removeEventListener("abort", notify);
        }
      }),
    };
  }
}
