/**
 * @module
 * `@jumpstarter/driver-qemu/driver`: the exporter side of the QEMU driver family.
 */
export { Qemu } from "./qemu.js";
export { QemuPower } from "./power.js";
export { QemuFlasher } from "./flasher.js";
export { QemuConsole } from "./console.js";
export { GuestPort } from "./guest-port.js";
export { Machine } from "./machine.js";
export { QmpClient, QmpCommandError } from "./qmp.js";
export type { QmpEvent } from "./qmp.js";
export { QemuConfigSchema, HostfwdSchema, settingsFrom, hostQemuArch } from "./config.js";
export type { QemuConfig, QemuSettings, Hostfwd } from "./config.js";
export { autoDecompress } from "./decompress.js";
