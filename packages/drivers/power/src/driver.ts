/**
 * @module
 * `@jumpstarter/driver-power/driver`: exporter-side power drivers.
 */
export { MockPower, SyncMockPower, MockPowerConfigSchema } from "./mock-power.js";
export type { MockPowerConfig } from "./mock-power.js";
export { HttpPower, HttpPowerConfigSchema } from "./http-power.js";
export type { HttpPowerConfig } from "./http-power.js";
