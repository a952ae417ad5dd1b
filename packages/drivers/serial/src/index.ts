/**
 * @module
 * `@jumpstarter/driver-serial`: the serial port interface and its client (no native dependencies).
 * The exporter-side driver is in `./driver`, the `j` commands in `./cli`, the contract suite in `./testing`.
 */
export { PySerialInterface, PYSERIAL_CLIENT } from "./interface.js";
export { PySerialClient } from "./client.js";
export type { PipeOptions } from "./client.js";
export { SerialConsole } from "./console.js";
export type { SerialConsoleOptions, ExpectOptions, ExpectResult } from "./console.js";
