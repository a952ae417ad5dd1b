import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import type { HealthCheckResponse, HealthListResponse } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import { startHarness } from "../testing/controller-harness.js";

const HealthClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(Health), "Health");
type Client = {
  check(request: object, callback: (error: grpc.ServiceError | null, value: HealthCheckResponse) => void): void;
  list(request: object, callback: (error: grpc.ServiceError | null, value: HealthListResponse) => void): void;
  watch(request: object): grpc.ClientReadableStream<HealthCheckResponse>;
  close(): void;
};

describe("grpc.health.v1 on the controller", () => {
  it("answers Check and List without credentials, and Watch sees NOT_SERVING when the controller stops", async () => {
    const h = await startHarness();
    const client = new HealthClient(h.controller.address, grpc.credentials.createInsecure()) as unknown as Client;
    try {
      const checked = await new Promise<HealthCheckResponse>((resolve, reject) => client.check({ service: "" }, (e, v) => (e ? reject(e) : resolve(v))));
      assert.equal(checked.status, Serving.SERVING);
      const listed = await new Promise<HealthListResponse>((resolve, reject) => client.list({}, (e, v) => (e ? reject(e) : resolve(v))));
      assert.deepEqual(Object.keys(listed.statuses).sort(), [
        "",
        "jumpstarter.client.v1.ClientService",
        "jumpstarter.v1.ControllerService",
        "jumpstarter.v1.RouterService",
      ]);
      const watch = client.watch({ service: "jumpstarter.v1.ControllerService" });
      const seen: Serving[] = [];
      watch.on("data", (message: HealthCheckResponse) => seen.push(message.status));
      watch.on("error", () => undefined);
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const closing = h.close();
      for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(seen, [Serving.SERVING, Serving.NOT_SERVING]);
      await closing;
    } finally {
      client.close();
      await h.close();
    }
  });
});
