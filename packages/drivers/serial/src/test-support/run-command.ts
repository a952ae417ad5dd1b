/**
 * @module
 * Test support: runs the serial `j` commands in a separate process against a served exporter, as `j` would.
 * Usage: `node run-command.js <address> <command> [args...]`.
 */
import { Command } from "commander";
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import { serialCommands } from "../cli.js";
import { PySerialClient } from "../client.js";

const [address, ...args] = process.argv.slice(2);
process.stdout.write(`harness-pid=${process.pid}\n`);
const handle = await connectExporter<PySerialClient>({ address: address! }, { allowlist: unsafeAllowlist, rootClass: PySerialClient });
const program = new Command("serial").exitOverride();
serialCommands(program, handle.root);
try {
  await program.parseAsync(args, { from: "user" });
} catch (error) {
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  handle.close();
}
