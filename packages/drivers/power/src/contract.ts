/**
 * @module
 * `runPowerContract`: the behaviour every power driver must show over the wire. Call it inside a
 * `describe` of the driver's test file; it registers its own `it` cases.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Driver } from "@jumpstarter/core";
import { CLIENT_LABEL, Code, exportedMethods } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PowerClient } from "./client.js";
import type { PowerReading } from "./interface.js";
import { POWER_CLIENT, PowerInterface } from "./interface.js";

/** What a power driver's test harness can tell the contract. */
export interface PowerContractOptions {
  /** The device state as the harness observes it, when it can (e.g. the last request a fake PDU got). */
  readonly state?: () => "on" | "off" | undefined;
  /** Readings `read` must yield, when they are deterministic. */
  readonly readings?: readonly PowerReading[];
  /** Client label the driver reports; PowerClient's by default. */
  readonly client?: string;
}

/** Registers the power contract tests for drivers made by `makeDriver` (a fresh driver per test). */
export function runPowerContract(makeDriver: () => Driver | Promise<Driver>, options: PowerContractOptions = {}): void {
  const expectedLabel = options.client ?? POWER_CLIENT;

  it("power contract: exports on/off as unary calls and read as a streaming call, and reports its client", async () => {
    const driver = await makeDriver();
    try {
      const methods = exportedMethods(driver);
      for (const [name, spec] of Object.entries(PowerInterface.methods)) {
        assert.equal(methods.get(name)?.kind, spec.kind, `method ${name}`);
      }
      assert.equal(driver.report().labels[CLIENT_LABEL], expectedLabel);
    } finally {
      await driver.close();
    }
  });

  it("power contract: on and off return nothing and switch the device", async () => {
    await using served = await serve(await makeDriver(), { client: PowerClient });
    assert.equal(await served.client.call("on"), null);
    if (options.state) assert.equal(options.state(), "on");
    assert.equal(await served.client.call("off"), null);
    if (options.state) assert.equal(options.state(), "off");
  });

  it("power contract: read streams {voltage, current} numbers", async () => {
    await using served = await serve(await makeDriver(), { client: PowerClient });
    const readings: PowerReading[] = [];
    for await (const reading of served.client.read()) readings.push(reading);
    assert.ok(readings.length > 0, "read yielded nothing");
    for (const reading of readings) {
      assert.equal(typeof reading.voltage, "number");
      assert.equal(typeof reading.current, "number");
    }
    if (options.readings) assert.deepEqual(readings, options.readings);
  });

  it("power contract: cycle powers off, then on", async () => {
    await using served = await serve(await makeDriver(), { client: PowerClient });
    await served.client.on();
    await served.client.cycle(0);
    if (options.state) assert.equal(options.state(), "on");
  });

  it("power contract: wrong call kinds and arguments fail like the reference", async () => {
    const driver = await makeDriver();
    await using served = await serve(driver, { client: PowerClient });
    const client = served.client;
    await assert.rejects(client.call("read"), { code: Code.NOT_FOUND, message: /method read missing marker marker_drivercall/ });
    await assert.rejects(
      async () => {
        for await (const _ of client.streamingCall("on")) assert.fail("on must not stream");
      },
      { code: Code.NOT_FOUND, message: "method on missing marker marker_streamingdrivercall" },
    );
    await assert.rejects(client.call("on", [1, "x"]), {
      code: Code.UNKNOWN,
      message: `DriverCall 'on' failed with gRPC UNKNOWN: ${driver.constructor.name}.on() takes 1 positional argument but 3 were given`,
    });
  });
}
