/**
 * @module
 * The power interfaces: switch a device on and off and stream voltage/current readings.
 */
import { defineInterface, streaming, unary } from "@jumpstarter/core";

/** One measurement, as `read` yields it on the wire. */
export interface PowerReading {
  /** Volts. */
  readonly voltage: number;
  /** Amperes. */
  readonly current: number;
}

/** Python client class path of {@link PowerInterface}. */
export const POWER_CLIENT = "jumpstarter_driver_power.client.PowerClient";
/** Python client class path of {@link VirtualPowerInterface}. */
export const VIRTUAL_POWER_CLIENT = "jumpstarter_driver_power.client.VirtualPowerClient";

/** A power switch with optional metering. */
export const PowerInterface = defineInterface({
  name: "power",
  client: POWER_CLIENT,
  methods: {
    on: unary<[], void>(),
    off: unary<[], void>(),
    read: streaming<[], PowerReading>(),
  },
});

/** Power of a virtual device, whose `off` may also destroy the instance. */
export const VirtualPowerInterface = defineInterface({
  name: "virtual-power",
  client: VIRTUAL_POWER_CLIENT,
  methods: {
    on: unary<[], void>(),
    off: unary<[destroy: boolean], void>(),
    read: streaming<[], PowerReading>(),
  },
});
