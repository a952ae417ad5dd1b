/**
 * @module
 * `@jumpstarter/driver-power`: the power interfaces and their clients. Drivers are in
 * `@jumpstarter/driver-power/driver`, `j` commands in `./cli`, the shared contract test in `./testing`.
 */
export { PowerInterface, VirtualPowerInterface, POWER_CLIENT, VIRTUAL_POWER_CLIENT } from "./interface.js";
export type { PowerReading } from "./interface.js";
export { PowerClient, VirtualPowerClient } from "./client.js";
export type { CycleOptions } from "./client.js";
export { parsePowerReading, apparentPower } from "./reading.js";
