/**
 * @module
 * `@jumpstarter/driver-qemu`: the QEMU interfaces and their clients (no exporter-side code). The drivers are
 * in `@jumpstarter/driver-qemu/driver`, the `j` commands in `./cli`.
 */
export {
  QemuInterface,
  QemuFlasherInterface,
  QemuPowerInterface,
  QEMU_CLIENT,
  QEMU_FLASHER_CLIENT,
  QEMU_POWER_CLIENT,
  PARTITIONS,
} from "./interface.js";
export type { FlashOciOutput, Partition } from "./interface.js";
export { QemuClient, QemuFlasherClient } from "./client.js";
export { parseSize, formatSize } from "./size.js";
