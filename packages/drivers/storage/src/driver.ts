/**
 * @module
 * `@jumpstarter/driver-storage/driver`: exporter-side storage mux and flasher drivers.
 */
export { PathStorageMux, FileStorageMux, FileStorageMuxFlasher, MockStorageMux, MockStorageMuxFlasher, fileStorageMuxConfigSchema, mockConfigSchema } from "./storage-mux.js";
export type { MuxSide, FileStorageMuxConfig } from "./storage-mux.js";
export { PathFlasher, FileFlasher, MockFlasher, fileFlasherConfigSchema } from "./flasher.js";
export type { FileFlasherConfig } from "./flasher.js";
export { writeImage, readImage, sniffStream } from "./transfer.js";
export type { WriteImageOptions } from "./transfer.js";
