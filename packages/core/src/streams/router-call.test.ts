import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grpcClientOptions } from "./router-call.js";

describe("grpcClientOptions", () => {
  it("gives the reference client's keepalive (every 20 s, also idle; 180 s to answer) and wide windows", () => {
    const options = grpcClientOptions("unix:/run/session.sock", undefined);
    assert.equal(options.keepaliveMs, 20_000);
    assert.equal(options.keepaliveTimeoutMs, 180_000);
    assert.equal(options.keepaliveWithoutCalls, true);
    assert.equal(options.tls, undefined);
    assert.equal(options.proxy, undefined, "proxies as the environment names them");
    assert.ok((options.streamWindow ?? 0) >= 8 * 1024 * 1024);
  });

  it("applies the grpc-js options it knows from the user's grpcOptions", () => {
    const options = grpcClientOptions("exporter.lab.test:443", { ca: "PEM" }, {
      "grpc.keepalive_time_ms": 5000,
      "grpc.keepalive_timeout_ms": 1000,
      "grpc.keepalive_permit_without_calls": 0,
      "grpc.max_receive_message_length": 1024,
      "grpc.ssl_target_name_override": "exporter.internal",
      "grpc.enable_http_proxy": 0,
      "grpc.primary_user_agent": "ignored",
    });
    assert.deepEqual(
      { ...options, streamWindow: undefined, connectionWindow: undefined },
      {
        address: "exporter.lab.test:443",
        tls: { ca: "PEM", servername: "exporter.internal" },
        keepaliveMs: 5000,
        keepaliveTimeoutMs: 1000,
        keepaliveWithoutCalls: false,
        maxReceiveMessageLength: 1024,
        proxy: false,
        streamWindow: undefined,
        connectionWindow: undefined,
      },
    );
  });
});
