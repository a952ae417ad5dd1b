/**
 * @module
 * The `j` program: connect to `JUMPSTARTER_HOST`, fetch the report, build the client tree and its commands,
 * run the command line. Exit codes (spec cli §3): the command's own, 1 for errors, 2 for usage errors and
 * cancellation.
 */
import { allowlistFromEnv, buildClientTree, CLIENT_LABEL, Code, ExporterConnection, isAllowed, StubDriverClient } from "@jumpstarter/core";
import type { DriverClient } from "@jumpstarter/core";
import { Command, CommanderError } from "commander";
import { CliError } from "../errors.js";
import { printError } from "../output/print-error.js";
import { buildProgram } from "./build-program.js";
import { connectOptionsFromEnv } from "./host.js";
import { loadPlugins } from "./plugins.js";

/** Whether argv asks for debug logging (`--log-level debug`). */
export function wantsDebug(argv: readonly string[]): boolean {
  return argv.some((arg, index) => (arg === "--log-level" && /^debug$/i.test(argv[index + 1] ?? "")) || /^--log-level=debug$/i.test(arg));
}

function* stubs(client: DriverClient, path: string[] = []): Generator<[string, StubDriverClient]> {
  for (const [name, child] of Object.entries(client.children)) {
    if (child instanceof StubDriverClient) yield [[...path, name].join("."), child];
    else yield* stubs(child, [...path, name]);
  }
}

/** Exit code of a commander parse error: 0 for help/version, 2 otherwise. */
function commanderExitCode(error: CommanderError): number {
  return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 2;
}

/** Runs `j` with `argv` (without node and script) and returns the exit code. */
export async function runJ(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const debug = wantsDebug(argv);
  let connection: ExporterConnection | undefined;
  let cancelled = false;
  const onInterrupt = () => {
    cancelled = true;
    connection?.close();
    setTimeout(() => process.exit(2), 1000).unref();
  };
  process.once("SIGINT", onInterrupt);
  try {
    const target = connectOptionsFromEnv(env);
    connection = new ExporterConnection(target);
    const report = await connection.getReport({ timeoutMs: 30_000 }).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (code === Code.UNAVAILABLE || code === Code.DEADLINE_EXCEEDED) {
        throw new CliError("Exporter did not respond to initial connection", 1, { cause: error });
      }
      throw error;
    });
    const allowlist = allowlistFromEnv(env);
    const labels = report.reports.map((entry) => entry.labels[CLIENT_LABEL] ?? "").filter((label) => isAllowed(label, allowlist));
    const plugins = await loadPlugins(labels);
    const root = buildClientTree(report, connection, { allowlist });
    if (!env["_JMP_SUPPRESS_DRIVER_WARNINGS"]) {
      for (const [, stub] of stubs(root)) process.stderr.write(`Warning: Driver client '${stub.clientLabel}' is not available.\n`);
    }
    const program = new Command("j")
      .description("Drive the devices of the exporter this shell is connected to")
      .option("--log-level <level>", "log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)")
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`Error: ${text.replace(/^error: /, "")}`) });
    await buildProgram(program, root, plugins);
    await program.parseAsync([...argv], { from: "user" });
    if (cancelled) return 2;
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (cancelled) return 2;
    return printError(error, debug);
  } finally {
    process.off("SIGINT", onInterrupt);
    connection?.close();
  }
}
