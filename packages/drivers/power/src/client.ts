/**
 * @module
 * `PowerClient` and `VirtualPowerClient`: typed clients of the power interfaces.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ArgsOf } from "@jumpstarter/core";
import { InterfaceClient, InvalidArgumentError, registerClientClass } from "@jumpstarter/core";
import type { PowerReading, VirtualPowerInterface } from "./interface.js";
import { POWER_CLIENT, PowerInterface, VIRTUAL_POWER_CLIENT } from "./interface.js";
import { parsePowerReading } from "./reading.js";

/** Options of {@link PowerClient.cycle}. */
export interface CycleOptions {
  /** Aborts the wait between off and on (the device stays off). */
  readonly signal?: AbortSignal;
}

/** Client of any driver implementing {@link PowerInterface}. */
export class PowerClient extends InterfaceClient<typeof PowerInterface> {
  /** Powers the device on. */
  async on(): Promise<void> {
    await this.invoke("on");
  }

  /** Powers the device off. */
  async off(): Promise<void> {
    await this.invoke("off");
  }

  /** Powers off, waits `waitSeconds`, powers on. */
  async cycle(waitSeconds = 2, options: CycleOptions = {}): Promise<void> {
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
      throw new InvalidArgumentError(`cycle wait must be a non-negative number of seconds, got ${waitSeconds}`);
    }
    await this.off();
    await sleep(waitSeconds * 1000, undefined, options.signal ? { signal: options.signal } : {});
    await this.on();
  }

  /** Streams readings from the driver, each checked to be `{voltage, current}` numbers. */
  async *read(): AsyncGenerator<PowerReading> {
    for await (const value of this.invokeStreaming("read")) yield parsePowerReading(value);
  }
}

/** Client of virtual power drivers: `off(destroy)` may also destroy the instance. */
export class VirtualPowerClient extends PowerClient {
  /** Powers off; with `destroy`, the virtual instance is destroyed too. */
  override async off(destroy = false): Promise<void> {
    const args: ArgsOf<(typeof VirtualPowerInterface)["methods"]["off"]> = [destroy];
    await this.call("off" satisfies keyof (typeof VirtualPowerInterface)["methods"], args);
  }
}

registerClientClass(POWER_CLIENT, PowerClient);
registerClientClass(VIRTUAL_POWER_CLIENT, VirtualPowerClient);
