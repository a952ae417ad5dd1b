/**
 * @module
 * `@jumpstarter/driver-storage`: storage mux and flasher interfaces and their clients. Exporter-side drivers
 * are in `./driver`, the `j` commands in `./cli`, the contract suites in `./testing`.
 */
export { StorageMuxInterface, StorageMuxFlasherInterface, FlasherInterface } from "./interface.js";
export { FlasherClient, StorageMuxClient, StorageMuxFlasherClient } from "./client.js";
export type { ImageTransfers } from "./client.js";
export { isHttpUrl } from "./image-io.js";
export type { TransferOptions, TransferProgress } from "./image-io.js";
