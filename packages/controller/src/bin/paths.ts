/**
 * @module
 * Where the controller keeps its state by default: `$XDG_STATE_HOME/jumpstarter` (default
 * `~/.local/state/jumpstarter`), with the SQLite database `controller.db`, the generated TLS material in `tls/`
 * and `controller.json` (endpoint, namespace and CA bundle, read by `jmp admin`).
 */
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** `$XDG_STATE_HOME/jumpstarter`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env["XDG_STATE_HOME"];
  return join(xdg ? xdg : join(homedir(), ".local", "state"), "jumpstarter");
}

/** The default `--database`: `<default state dir>/controller.db`. */
export function defaultDatabase(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultStateDir(env), "controller.db");
}

/** Whether a `--database` value names PostgreSQL. */
export function isPostgres(database: string): boolean {
  return /^postgres(ql)?:\/\//.test(database);
}

/** The state directory that goes with a database: the SQLite file's directory, else the default one. */
export function stateDirFor(database: string, env: NodeJS.ProcessEnv = process.env): string {
  if (isPostgres(database) || database === ":memory:") return defaultStateDir(env);
  const path = database.startsWith("sqlite:") ? database.slice("sqlite:".length) : database;
  return dirname(resolve(path));
}
