/**
 * @module
 * The work behind `jmp admin` (loaded only when an admin command runs).
 */
import { parseDriverPatterns } from "../distributed/client-config.js";
import { CliError, UsageError } from "../errors.js";
import { parseOutput, toJsonText, toYamlText } from "../output/format.js";
import { adminClientConfig, adminExporterDocument, deleteLocalConfig, saveAdminClientConfig, saveAdminExporterConfig } from "./admin-configs.js";
import type { AdminContext, AdminFlags, ConfigFlags } from "./admin-context.js";
import { controllerTarget, openAdmin } from "./admin-context.js";
import { clientObject, clientTable, exporterObject, exporterTable, leaseObject, leaseTable } from "./admin-views.js";

type Kind = "client" | "exporter";

interface DriverFlags {
  readonly allow?: string;
  readonly unsafe?: boolean;
}

function drivers(flags: DriverFlags): { allow: string[]; unsafe: boolean } {
  return { allow: parseDriverPatterns(flags.allow), unsafe: flags.unsafe === true };
}

async function withAdmin<T>(flags: AdminFlags, run: (admin: AdminContext) => Promise<T>): Promise<T> {
  const admin = await openAdmin(flags);
  try {
    return await run(admin);
  } finally {
    await admin.close();
  }
}

async function print(value: unknown, output: "json" | "yaml"): Promise<void> {
  process.stdout.write(output === "json" ? toJsonText(value) : await toYamlText(value));
}

/** Writes the config for `kind/name` with `token` where `save`/`out` say; returns the path, if any. */
async function writeConfig(
  admin: AdminContext,
  kind: Kind,
  name: string,
  token: string,
  flags: ConfigFlags & DriverFlags & { save?: boolean; out?: string },
  overwrite: boolean,
): Promise<string | undefined> {
  if (!flags.save && flags.out === undefined) return undefined;
  const target = await controllerTarget(flags, admin.stateDir);
  if (kind === "client") {
    const config = adminClientConfig(admin.namespace, name, token, target, drivers(flags));
    if (overwrite && flags.out === undefined) await deleteLocalConfig("client", name);
    return saveAdminClientConfig(name, config, flags.out);
  }
  return saveAdminExporterConfig(name, adminExporterDocument(admin.namespace, name, token, target), flags.out, overwrite);
}

/** `jmp admin create client|exporter NAME`. */
export async function adminCreate(
  kind: Kind,
  name: string,
  flags: ConfigFlags & DriverFlags & { labels: Record<string, string>; oidcUsername?: string; save?: boolean; out?: string; output?: string },
): Promise<void> {
  const output = parseOutput(flags.output, ["json", "yaml", "name"] as const);
  if (kind === "exporter" && (flags.allow !== undefined || flags.unsafe)) throw new UsageError("--allow and --unsafe apply to clients only");
  await withAdmin(flags, async (admin) => {
    const { AlreadyExistsError } = await import("@jumpstarter/controller");
    const options = { labels: flags.labels, ...(flags.oidcUsername ? { username: flags.oidcUsername } : {}) };
    let created;
    try {
      created = kind === "client" ? await admin.identities.createClient(admin.namespace, name, options) : await admin.identities.createExporter(admin.namespace, name, options);
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw new CliError(`${kind} ${admin.namespace}/${name} already exists`);
      throw error;
    }
    const path = await writeConfig(admin, kind, name, created.token, flags, false);
    if (output === "name") process.stdout.write(`${name}\n`);
    else if (output) {
      const endpoint = (await import("@jumpstarter/controller").then((c) => c.readControllerInfo(admin.stateDir)))?.endpoint;
      const record = kind === "client" ? clientObject(created.record, endpoint) : exporterObject(created.record as import("@jumpstarter/controller").ExporterRecord, endpoint);
      await print(record, output);
    } else {
      process.stdout.write(`Created ${kind} "${name}" in namespace "${admin.namespace}"\n`);
      if (path) process.stdout.write(`${kind === "client" ? "Client" : "Exporter"} configuration saved to ${path}\n`);
    }
  });
}

/** `jmp admin get client|exporter|lease [NAME]`. */
export async function adminGet(kindText: string, name: string | undefined, flags: AdminFlags & { devices?: boolean; output?: string }): Promise<void> {
  const output = parseOutput(flags.output, ["json", "yaml", "name"] as const);
  const kind = ["client", "clients", "c"].includes(kindText) ? "client" : ["exporter", "exporters", "e"].includes(kindText) ? "exporter" : ["lease", "leases", "l"].includes(kindText) ? "lease" : undefined;
  if (!kind) throw new UsageError(`unknown kind ${JSON.stringify(kindText)}: use client, exporter or lease`);
  await withAdmin(flags, async (admin) => {
    const { readControllerInfo } = await import("@jumpstarter/controller");
    const endpoint = (await readControllerInfo(admin.stateDir))?.endpoint;
    const { store, namespace } = admin;
    const records =
      kind === "client"
        ? name ? [await store.getClient(namespace, name)] : (await store.listClients(namespace)).items
        : kind === "exporter"
          ? name ? [await store.getExporter(namespace, name)] : (await store.listExporters(namespace)).items
          : name ? [await store.getLease(namespace, name)] : (await store.listLeases(namespace)).items;
    if (name && records[0] === undefined) throw new CliError(`${kind} ${namespace}/${name} not found`);
    const items = records.filter((record) => record !== undefined);
    if (output === "name") {
      process.stdout.write(items.map((item) => `${item.name}\n`).join(""));
      return;
    }
    const objects = items.map((item) =>
      kind === "client"
        ? clientObject(item as import("@jumpstarter/controller").ClientRecord, endpoint)
        : kind === "exporter"
          ? exporterObject(item as import("@jumpstarter/controller").ExporterRecord, endpoint)
          : leaseObject(item as import("@jumpstarter/controller").LeaseRecord),
    );
    if (output) {
      const kindName = kind === "client" ? "Client" : kind === "exporter" ? "Exporter" : "Lease";
      await print(name ? objects[0] : { apiVersion: "jumpstarter.dev/v1alpha1", kind: `${kindName}List`, items: objects }, output);
      return;
    }
    if (kind === "client") process.stdout.write(clientTable(items as import("@jumpstarter/controller").ClientRecord[], endpoint));
    else if (kind === "exporter") process.stdout.write(exporterTable(items as import("@jumpstarter/controller").ExporterRecord[], flags.devices === true));
    else process.stdout.write(leaseTable(items as import("@jumpstarter/controller").LeaseRecord[]));
  });
}

/** `jmp admin delete client|exporter NAME`. */
export async function adminDelete(kind: Kind, name: string, flags: AdminFlags & { delete?: boolean; output?: string }): Promise<void> {
  const output = parseOutput(flags.output, ["name"] as const);
  await withAdmin(flags, async (admin) => {
    if (!(await admin.identities.delete(kind, admin.namespace, name))) throw new CliError(`${kind} ${admin.namespace}/${name} not found`);
    const removed = flags.delete ? await deleteLocalConfig(kind, name) : undefined;
    if (output === "name") process.stdout.write(`${name}\n`);
    else {
      process.stdout.write(`Deleted ${kind} "${name}" in namespace "${admin.namespace}"\n`);
      if (removed) process.stdout.write(`Deleted local config ${removed}\n`);
    }
  });
}

/** `jmp admin rotate client|exporter NAME`. */
export async function adminRotate(kind: Kind, name: string, flags: ConfigFlags & DriverFlags & { save?: boolean; out?: string; output?: string }): Promise<void> {
  const output = parseOutput(flags.output, ["name"] as const);
  await withAdmin(flags, async (admin) => {
    const { ObjectNotFoundError } = await import("@jumpstarter/controller");
    let rotated;
    try {
      rotated = await admin.identities.rotate(kind, admin.namespace, name);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new CliError(`${kind} ${admin.namespace}/${name} not found`);
      throw error;
    }
    const path = await writeConfig(admin, kind, name, rotated.token, flags, true);
    if (output === "name") process.stdout.write(`${name}\n`);
    else {
      process.stdout.write(`Rotated the token of ${kind} "${name}" (expires ${rotated.expiresAt.toISOString()})\n`);
      if (path) process.stdout.write(`Configuration saved to ${path}\n`);
    }
  });
}

/** `jmp admin import client|exporter NAME`: the config with the identity's current token. */
export async function adminImport(kind: Kind, name: string, flags: ConfigFlags & DriverFlags & { out?: string; output?: string }): Promise<void> {
  const output = parseOutput(flags.output, ["path"] as const);
  await withAdmin(flags, async (admin) => {
    const record = await admin.identities.get(kind, admin.namespace, name);
    if (!record) throw new CliError(`${kind} ${admin.namespace}/${name} not found`);
    if (!record.token) throw new CliError(`${kind} ${admin.namespace}/${name} has no stored token: rotate it with jmp admin rotate ${kind} ${name}`);
    const path = (await writeConfig(admin, kind, name, record.token, { ...flags, save: true }, false))!;
    process.stdout.write(output === "path" ? `${path}\n` : `${kind === "client" ? "Client" : "Exporter"} configuration saved to ${path}\n`);
  });
}
