import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, exportMethod } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PowerClient, VirtualPowerClient } from "./client.js";
import { runPowerContract } from "./contract.js";
import { VIRTUAL_POWER_CLIENT } from "./interface.js";
import { MockPower, SyncMockPower } from "./mock-power.js";
import { parsePowerReading } from "./reading.js";

const mockReadings = [
  { voltage: 0, current: 0 },
  { voltage: 5, current: 2 },
];

describe("MockPower", () => {
  runPowerContract(() => new MockPower(), { readings: mockReadings });

  it("is found as a PowerClient through the client registry", async () => {
    await using served = await serve(new MockPower());
    assert.ok(served.client instanceof PowerClient);
    await served.client.on();
  });

  it("rejects config keys", () => {
    assert.equal(MockPower.configSchema.safeParse({}).success, true);
    assert.equal(MockPower.configSchema.safeParse({ voltage: 5 }).success, false);
  });
});

describe("SyncMockPower", () => {
  runPowerContract(() => new SyncMockPower(), { readings: mockReadings });
});

class FakeVirtualPower extends MockPower {
  readonly calls: unknown[][] = [];
  override client() {
    return VIRTUAL_POWER_CLIENT;
  }
  @exportMethod
  override async off(...args: unknown[]): Promise<void> {
    this.calls.push(args);
  }
}

describe("PowerClient", () => {
  it("rejects readings that are not {voltage, current} numbers", () => {
    assert.deepEqual(parsePowerReading({ voltage: 1.5, current: 2, extra: "x" }), { voltage: 1.5, current: 2 });
    for (const bad of [null, 5, { voltage: "5", current: 1 }, { voltage: 1 }, [1, 2]]) {
      assert.throws(() => parsePowerReading(bad), { code: Code.INVALID_ARGUMENT, message: /invalid power reading/ });
    }
  });

  it("refuses a negative cycle wait before switching anything", async () => {
    await using served = await serve(new MockPower(), { client: PowerClient });
    await assert.rejects(served.client.cycle(-1), { code: Code.INVALID_ARGUMENT });
  });

  it("VirtualPowerClient sends off(destroy) positionally", async () => {
    const driver = new FakeVirtualPower();
    await using served = await serve(driver);
    assert.ok(served.client instanceof VirtualPowerClient);
    await served.client.off();
    await served.client.off(true);
    assert.deepEqual(driver.calls, [[false], [true]]);
  });
});
