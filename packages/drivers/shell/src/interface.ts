/**
 * @module
 * The shell interface: list the configured methods and run one with live output.
 */
import { defineInterface, streaming, unary } from "@jumpstarter/core";

/**
 * One message of a running method: output that arrived since the last message, and the return code in
 * the final message (`null` before). A timed-out method ends with return code {@link TIMEOUT_RETURN_CODE}.
 */
export type ShellChunk = [stdout: string, stderr: string, returncode: number | null];

/** Return code reported when a method exceeded its timeout (as the reference does). */
export const TIMEOUT_RETURN_CODE = 199;

/** Python client class path of the shell driver. */
export const SHELL_CLIENT = "jumpstarter_driver_shell.client.ShellClient";

/** Runs scripts configured on the exporter. */
export const ShellInterface = defineInterface({
  name: "shell",
  client: SHELL_CLIENT,
  methods: {
    get_methods: unary<[], string[]>(),
    call_method: streaming<[method: string, env: Readonly<Record<string, string>>, ...args: string[]], ShellChunk>(),
  },
});
