import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exportMethod } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { Command } from "commander";
import { PowerClient, VirtualPowerClient } from "./client.js";
import { formatReading, powerCommands, virtualPowerCommands } from "./cli.js";
import { VIRTUAL_POWER_CLIENT } from "./interface.js";
import { MockPower } from "./mock-power.js";

class RecordingPower extends MockPower {
  readonly events: string[] = [];
  @exportMethod
  override async on(): Promise<void> {
    this.events.push("on");
  }
  @exportMethod
  override async off(...args: unknown[]): Promise<void> {
    this.events.push(args.length ? `off(${args.join(",")})` : "off");
  }
}

class RecordingVirtualPower extends RecordingPower {
  override client() {
    return VIRTUAL_POWER_CLIENT;
  }
}

function group(): { command: Command; output: () => string } {
  let text = "";
  const command = new Command("power")
    .exitOverride()
    .configureOutput({ writeOut: (chunk) => void (text += chunk), writeErr: (chunk) => void (text += chunk) });
  return { command, output: () => text };
}

describe("j power commands", () => {
  it("on, off and cycle call the driver in order", async () => {
    const driver = new RecordingPower({}, { methodsDescription: { cycle: "Bounce the board" } });
    await using served = await serve(driver, { client: PowerClient });
    const { command, output } = group();
    powerCommands(command, served.client);
    assert.deepEqual(command.commands.map((sub) => sub.name()), ["on", "off", "cycle", "read"]);
    assert.equal(command.commands.find((sub) => sub.name() === "cycle")!.description(), "Bounce the board");
    await command.parseAsync(["on"], { from: "user" });
    await command.parseAsync(["off"], { from: "user" });
    await command.parseAsync(["cycle", "-w", "0"], { from: "user" });
    assert.deepEqual(driver.events, ["on", "off", "off", "on"]);
    assert.equal(output(), "Power cycling with 0 seconds wait time...\n");
  });

  it("read prints each reading, -n rounds", async () => {
    await using served = await serve(new MockPower(), { client: PowerClient });
    const { command, output } = group();
    powerCommands(command, served.client);
    await command.parseAsync(["read", "-n", "2", "-i", "0"], { from: "user" });
    const first = "voltage=0.0 V  current=0.0 A  apparent_power=0.0 VA\nvoltage=5.0 V  current=2.0 A  apparent_power=10.0 VA\n";
    assert.equal(output(), first + first);
    assert.equal(formatReading({ voltage: 1.5, current: 0.5 }), "voltage=1.5 V  current=0.5 A  apparent_power=0.75 VA");
  });

  it("rejects bad option values", async () => {
    await using served = await serve(new MockPower(), { client: PowerClient });
    const { command, output } = group();
    powerCommands(command, served.client);
    command.commands.forEach((sub) => sub.exitOverride());
    await assert.rejects(command.parseAsync(["cycle", "-w", "soon"], { from: "user" }), { code: "commander.invalidArgument" });
    await assert.rejects(command.parseAsync(["read", "-n", "-1"], { from: "user" }));
    assert.match(output(), /non-negative number of seconds/);
  });

  it("virtual power has off --destroy", async () => {
    const driver = new RecordingVirtualPower();
    await using served = await serve(driver, { client: VirtualPowerClient });
    const { command } = group();
    virtualPowerCommands(command, served.client);
    await command.parseAsync(["off"], { from: "user" });
    await command.parseAsync(["off", "--destroy"], { from: "user" });
    assert.deepEqual(driver.events, ["off(false)", "off(true)"]);
  });
});
