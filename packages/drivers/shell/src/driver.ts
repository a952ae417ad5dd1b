/**
 * @module
 * `@jumpstarter/driver-shell/driver`: the `Shell` driver. Each configured method is a script run as
 * `[...shell, script, method, ...args]` (so `$0` is the method name and `$1…` the arguments) in its own
 * process group, with the caller's environment additions, streaming its output live.
 */
import type { ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { Driver, InvalidArgumentError, callSignal, exportMethod } from "@jumpstarter/core";
import type { ResolvedShellConfig, ShellConfig } from "./config.js";
import { ShellConfigSchema } from "./config.js";
import type { ShellChunk } from "./interface.js";
import { SHELL_CLIENT, ShellInterface, TIMEOUT_RETURN_CODE } from "./interface.js";
import { runProcess, terminateGroup } from "./process-run.js";

export { ShellConfigSchema } from "./config.js";
export type { ShellConfig } from "./config.js";

/** Variables a caller may not set: they would let it run code other than the configured scripts. */
const BLOCKED_ENV = new Set(["PATH", "HOME", "SHELL", "ENV", "BASH_ENV", "IFS", "PYTHONPATH", "PYTHONSTARTUP", "NODE_OPTIONS", "KUBECONFIG"]);
const BLOCKED_ENV_PREFIXES = ["LD_", "BASH_FUNC_", "DYLD_"];
const GRACE_MS = 5000;

/** Runs the scripts configured under `methods`. */
export class Shell extends Driver implements DriverMethods<typeof ShellInterface> {
  static readonly configSchema = ShellConfigSchema;
  readonly config: ResolvedShellConfig;
  readonly #running = new Set<ChildProcess>();

  constructor(config: ShellConfig, options: DriverOptions = {}) {
    const parsed = ShellConfigSchema.safeParse(config);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ");
      throw new InvalidArgumentError(`invalid Shell config: ${problems}`);
    }
    const described: Record<string, string> = {};
    for (const [name, method] of Object.entries(parsed.data.methods)) {
      if (typeof method !== "string" && method.description !== undefined) described[name] = method.description;
    }
    super({ ...options, methodsDescription: { ...options.methodsDescription, ...described } });
    this.config = parsed.data;
  }

  override client(): string {
    return SHELL_CLIENT;
  }

  /** Names of the configured methods, in config order. */
  @exportMethod
  get_methods(): string[] {
    return Object.keys(this.config.methods);
  }

  /**
   * Runs `method` with `env` added to the exporter's environment and `args` as positional parameters.
   * Yields output as it arrives; the final message carries the return code.
   */
  @exportMethod
  async *call_method(method: unknown, env: unknown, ...args: unknown[]): AsyncGenerator<ShellChunk> {
    if (typeof method !== "string" || !Object.hasOwn(this.config.methods, method)) {
      throw new InvalidArgumentError(`Method ${JSON.stringify(method)} not found in available methods: ${JSON.stringify(this.get_methods())}`);
    }
    const definition = this.config.methods[method]!;
    const script = typeof definition === "string" ? definition : definition.command;
    const timeout = (typeof definition === "string" ? undefined : definition.timeout) ?? this.config.timeout;
    if (!script.trim()) throw new InvalidArgumentError(`Shell script of method ${method} must be a non-empty string`);
    const extraEnv = checkEnv(env);
    for (const arg of args) {
      if (typeof arg !== "string") throw new InvalidArgumentError(`All arguments must be strings, got ${arg === null ? "null" : typeof arg}`);
    }
    const cwd = this.config.cwd ?? undefined;
    if (cwd !== undefined && !isDirectory(cwd)) throw new InvalidArgumentError(`Working directory does not exist: ${cwd}`);
    this.logger.info(`calling ${method} with ${args.length} argument(s) and env ${JSON.stringify(Object.keys(extraEnv))}`);

    const run = runProcess({
      argv: [...this.config.shell, script, method, ...(args as string[])],
      env: { ...process.env, ...extraEnv },
      cwd,
      timeoutMs: timeout * 1000,
      signal: callSignal(),
      graceMs: GRACE_MS,
      track: (child, running) => (running ? this.#running.add(child) : this.#running.delete(child)),
    });
    let end;
    try {
      let step = await run.next();
      while (!step.done) {
        yield step.value;
        step = await run.next();
      }
      end = step.value;
    } finally {
      await run.return(undefined);
    }
    if (!end) return;
    if (end.kind === "timeout") {
      this.logger.error(`${method} timed out after ${timeout} s; its process group was terminated`);
      yield ["", `\nTimeout expired while running ${method}: no exit after ${timeout} seconds, process group terminated\n`, TIMEOUT_RETURN_CODE];
      return;
    }
    if (end.returncode !== 0) this.logger.info(`${method} return code: ${end.returncode}`);
    yield ["", "", end.returncode];
  }

  /** Terminates every script still running, then closes the base driver. */
  override async close(): Promise<void> {
    await Promise.all([...this.#running].map((child) => terminateGroup(child, GRACE_MS)));
    await super.close();
  }
}

function checkEnv(env: unknown): Record<string, string> {
  if (env === null || env === undefined) return {};
  if (typeof env !== "object" || Array.isArray(env)) throw new InvalidArgumentError(`env must be a mapping of names to strings, got ${JSON.stringify(env)}`);
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InvalidArgumentError(`Invalid environment variable name: ${key}`);
    if (BLOCKED_ENV.has(key) || BLOCKED_ENV_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      throw new InvalidArgumentError(`Environment variable '${key}' is blocked for security reasons`);
    }
    if (typeof value !== "string") throw new InvalidArgumentError(`Environment variable '${key}' must be a string`);
    result[key] = value;
  }
  return result;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
