/**
 * @module
 * `@jumpstarter/driver-shell`: the shell interface and its client. The `Shell` driver is in
 * `@jumpstarter/driver-shell/driver`, `j` commands in `./cli`.
 */
export { ShellInterface, SHELL_CLIENT, TIMEOUT_RETURN_CODE } from "./interface.js";
export type { ShellChunk } from "./interface.js";
export { ShellClient } from "./client.js";
export type { ShellRunOptions, ShellCallOptions, ShellOutput, ShellResult } from "./client.js";
