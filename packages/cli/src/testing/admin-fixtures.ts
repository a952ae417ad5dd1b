/**
 * @module
 * A controller for `jmp admin` tests, started in-process from `@jumpstarter/controller`.
 */
import { silentLogger } from "@jumpstarter/core";
export { runController } from "@jumpstarter/controller";
export type { ControllerProcess } from "@jumpstarter/controller";

/** A logger that drops the controller's records. */
export const silentControllerLogger = silentLogger;
