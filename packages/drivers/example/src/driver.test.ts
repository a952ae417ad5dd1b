import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { ExampleClient } from "./client.js";
import { runExampleContract, startEchoServer } from "./contract.js";
import { ExampleDriver } from "./driver.js";

runExampleContract("ExampleDriver", (echo) => new ExampleDriver({ host: echo.host, port: echo.port }));

describe("ExampleDriver", () => {
  it("is reached by the reference's wire names", async () => {
    await using served = await serve(new ExampleDriver({ port: 9 }), { client: ExampleClient });
    assert.equal(served.client.clientLabel, "jumpstarter_driver_example.client.ExampleClient");
    assert.equal(await served.client.call("async_query", ["wire"]), "Hello, wire! (async)");
    await assert.rejects(served.client.call("asyncQuery", ["wire"]), { code: Code.NOT_FOUND });
    await assert.rejects(served.client.call("get_data"), { code: Code.NOT_FOUND, message: /missing marker marker_drivercall/ });
  });

  it("turns a thrown InvalidArgumentError into INVALID_ARGUMENT", async () => {
    await using served = await serve(new ExampleDriver({ port: 9 }), { client: ExampleClient });
    await assert.rejects(served.client.query(""), { code: Code.INVALID_ARGUMENT, message: /non-empty string/ });
  });

  it("fails create_stream with UNAVAILABLE when the server refuses", async () => {
    const echo = await startEchoServer();
    const port = echo.port;
    await echo[Symbol.asyncDispose]();
    await using served = await serve(new ExampleDriver({ port }), { client: ExampleClient });
    await assert.rejects(served.client.createStream(), { code: Code.UNAVAILABLE, message: /ECONNREFUSED/ });
  });

  it("validates its config", () => {
    assert.equal(ExampleDriver.configSchema.safeParse({ port: 8080 }).success, true);
    assert.equal(ExampleDriver.configSchema.safeParse({ host: "dut", port: 8080 }).success, true);
    assert.equal(ExampleDriver.configSchema.safeParse({ host: "dut" }).success, false);
    assert.equal(ExampleDriver.configSchema.safeParse({ port: 8080, prot: 1 }).success, false);
  });
});
