/**
 * @module
 * `MockPower` and `SyncMockPower`: power drivers with no device behind them, for tests and examples.
 * `read` yields 0 V / 0 A then 5 V / 2 A, as the reference mocks do.
 */
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { Driver, exportMethod } from "@jumpstarter/core";
import { z } from "zod";
import type { PowerReading } from "./interface.js";
import { POWER_CLIENT, PowerInterface } from "./interface.js";

/** The mocks take no `config:` keys. */
export const MockPowerConfigSchema = z.object({}).strict();
/** Config of {@link MockPower} and {@link SyncMockPower}. */
export type MockPowerConfig = z.infer<typeof MockPowerConfigSchema>;

const mockReadings: readonly PowerReading[] = [
  { voltage: 0, current: 0 },
  { voltage: 5, current: 2 },
];

/**
 * What both mocks are: no config, the PowerClient label, a log line per switch and the fixed readings. The two
 * subclasses differ only in call style, so the core's sync and async paths are both exercised.
 */
abstract class MockPowerBase extends Driver {
  static readonly configSchema = MockPowerConfigSchema;

  constructor(_config: MockPowerConfig = {}, options: DriverOptions = {}) {
    super(options);
  }

  override client(): string {
    return POWER_CLIENT;
  }

  protected switchTo(state: "on" | "off"): void {
    this.logger.info(`power ${state}`);
  }

  protected *readings(): Generator<PowerReading> {
    for (const reading of mockReadings) yield { ...reading };
  }
}

/** A power switch that only logs, with asynchronous methods. */
export class MockPower extends MockPowerBase implements DriverMethods<typeof PowerInterface> {
  @exportMethod
  async on(): Promise<void> {
    this.switchTo("on");
  }

  @exportMethod
  async off(): Promise<void> {
    this.switchTo("off");
  }

  @exportMethod
  async *read(): AsyncGenerator<PowerReading> {
    yield* this.readings();
  }
}

/** The same mock with synchronous methods and a synchronous generator. */
export class SyncMockPower extends MockPowerBase implements DriverMethods<typeof PowerInterface> {
  @exportMethod
  on(): void {
    this.switchTo("on");
  }

  @exportMethod
  off(): void {
    this.switchTo("off");
  }

  @exportMethod
  *read(): Generator<PowerReading> {
    yield* this.readings();
  }
}
