/**
 * @module
 * What `jmp admin` works on: the controller's store, opened directly (`--database`, same default as
 * `jmp-controller`), the token issuer kept in it, and the endpoint and CA bundle the controller recorded in its
 * state directory (or given with `--endpoint` / `--ca-file`).
 */
import { readFile } from "node:fs/promises";
import { CliError } from "../errors.js";

/** Flags shared by the admin commands. */
export interface AdminFlags {
  readonly namespace: string;
  readonly database?: string;
  readonly stateDir?: string;
}

/** Flags of the commands that write configs. */
export interface ConfigFlags extends AdminFlags {
  readonly endpoint?: string;
  readonly caFile?: string;
  readonly insecureTls?: boolean;
}

/** An open admin session. */
export interface AdminContext {
  readonly namespace: string;
  readonly database: string;
  readonly stateDir: string;
  readonly store: import("@jumpstarter/controller").Store;
  readonly identities: import("@jumpstarter/controller").Identities;
  close(): Promise<void>;
}

/** Opens the store and the token issuer. */
export async function openAdmin(flags: AdminFlags): Promise<AdminContext> {
  const controller = await import("@jumpstarter/controller");
  const database = flags.database ?? controller.defaultDatabase();
  const stateDir = flags.stateDir ?? controller.stateDirFor(database);
  if (!controller.isPostgres(database) && database !== ":memory:") {
    const { existsSync } = await import("node:fs");
    const path = database.replace(/^sqlite:/, "");
    if (!existsSync(path)) throw new CliError(`no controller database at ${path}: start jmp-controller once, or pass --database`);
  }
  const store = await controller.openStore(database);
  try {
    const issuer = await controller.TokenIssuer.open(store, process.env["CONTROLLER_KEY"] ? { seed: process.env["CONTROLLER_KEY"] } : {});
    return { namespace: flags.namespace, database, stateDir, store, identities: new controller.Identities(store, issuer), close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Endpoint and CA bundle (base64 of the PEM) for configs. */
export interface ControllerTarget {
  readonly endpoint: string;
  readonly caBase64: string;
  readonly insecure: boolean;
}

/** The endpoint and CA that configs get: flags first, then the controller's `controller.json`. */
export async function controllerTarget(flags: ConfigFlags, stateDir: string): Promise<ControllerTarget> {
  const { readControllerInfo } = await import("@jumpstarter/controller");
  const info = flags.endpoint !== undefined && flags.caFile !== undefined ? undefined : await readControllerInfo(stateDir);
  const endpoint = flags.endpoint ?? info?.endpoint;
  if (!endpoint) {
    throw new CliError(`no controller endpoint known: start jmp-controller with this database once (it records ${stateDir}/controller.json), or pass --endpoint`);
  }
  const ca = flags.caFile !== undefined ? await readFile(flags.caFile, "utf8") : (info?.ca ?? "");
  return { endpoint, caBase64: ca === "" ? "" : Buffer.from(ca).toString("base64"), insecure: flags.insecureTls === true };
}
