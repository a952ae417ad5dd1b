/**
 * @module
 * `jmp admin create|get|delete|rotate|import client|exporter`: identities in the controller's own store (no
 * Kubernetes), and the ClientConfig / ExporterConfig files that let them reach the controller.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { collect, parsePairs } from "./client-options.js";

type Kind = "client" | "exporter";

/** Options `withStore` adds (commander's typing does not follow options added outside the chain). */
interface StoreOptions {
  readonly namespace: string;
  readonly database?: string;
  readonly stateDir?: string;
}

/** Options `withConfigTarget` adds. */
interface TargetOptions {
  readonly endpoint?: string;
  readonly caFile?: string;
  readonly insecureTls?: boolean;
}

function kindOf(value: string): Kind {
  if (["client", "clients", "c"].includes(value)) return "client";
  if (["exporter", "exporters", "e"].includes(value)) return "exporter";
  throw new UsageError(`unknown kind ${JSON.stringify(value)}: use client or exporter`);
}

function withStore<C extends CommandUnknownOpts>(command: C): C {
  command
    .option("-n, --namespace <namespace>", "namespace", "default")
    .option("--database <location>", "the controller's database (SQLite file or postgres://…; default as jmp-controller)")
    .option("--state-dir <dir>", "the controller's state directory (default: the database's directory)");
  return command;
}

function withConfigTarget<C extends CommandUnknownOpts>(command: C): C {
  command
    .option("--endpoint <host:port>", "controller endpoint for the config (default: what the controller recorded)")
    .option("--ca-file <file>", "CA bundle (PEM) for the config (default: the controller's)")
    .option("-k, --insecure-tls", "write tls.insecure: true");
  return command;
}

function createCommand(): CommandUnknownOpts {
  const command = new Command("create")
    .alias("c")
    .description("Create a client or exporter and its config")
    .argument("<kind>", "client or exporter")
    .argument("<name>", "its name")
    .option("-l, --label <k=v>", "label (repeatable)", collect, [] as string[])
    .option("--oidc-username <username>", "also accept this OIDC username for it")
    .option("-s, --save", "save the config in the user config directory")
    .option("--out <file>", "write the config to FILE")
    .option("-a, --allow <globs>", "client: driver client classes j may load (comma list)")
    .option("--unsafe", "client: let j load every driver client class")
    .option("--nointeractive", "never prompt (accepted for compatibility)")
    .option("-o, --output <format>", "yaml, json or name");
  withStore(withConfigTarget(command)).action(async (kindText, name, options) => {
    const { adminCreate } = await import("./admin-actions.js");
    const all = options as typeof options & StoreOptions & TargetOptions;
    await adminCreate(kindOf(kindText), name, { ...all, labels: parsePairs(options.label, "--label") });
  });
  return command;
}

function getCommand(): CommandUnknownOpts {
  const command = new Command("get")
    .alias("g")
    .description("Show clients, exporters or leases")
    .argument("<kind>", "client, exporter or lease")
    .argument("[name]", "one of them (default: all)")
    .option("-d, --devices", "exporters: list their devices")
    .option("-o, --output <format>", "yaml, json or name");
  withStore(command).action(async (kind, name, options) => {
    const { adminGet } = await import("./admin-actions.js");
    await adminGet(kind, name, options as typeof options & StoreOptions);
  });
  return command;
}

function deleteCommand(): CommandUnknownOpts {
  const command = new Command("delete")
    .aliases(["del", "d"])
    .description("Delete a client or exporter (its tokens stop working)")
    .argument("<kind>", "client or exporter")
    .argument("<name>", "its name")
    .option("-d, --delete", "also delete its saved local config")
    .option("-o, --output <format>", "name");
  withStore(command).action(async (kind, name, options) => {
    const { adminDelete } = await import("./admin-actions.js");
    await adminDelete(kindOf(kind), name, options as typeof options & StoreOptions);
  });
  return command;
}

function rotateCommand(): CommandUnknownOpts {
  const command = new Command("rotate")
    .description("Issue a new token for a client or exporter")
    .argument("<kind>", "client or exporter")
    .argument("<name>", "its name")
    .option("-s, --save", "save the config with the new token in the user config directory (replacing it)")
    .option("--out <file>", "write the config to FILE")
    .option("-a, --allow <globs>", "client: driver client classes j may load (comma list)")
    .option("--unsafe", "client: let j load every driver client class")
    .option("-o, --output <format>", "name");
  withStore(withConfigTarget(command)).action(async (kind, name, options) => {
    const { adminRotate } = await import("./admin-actions.js");
    await adminRotate(kindOf(kind), name, options as typeof options & StoreOptions & TargetOptions);
  });
  return command;
}

function importCommand(): CommandUnknownOpts {
  const command = new Command("import")
    .alias("i")
    .description("Write the config of an existing client or exporter (with its current token)")
    .argument("<kind>", "client or exporter")
    .argument("<name>", "its name")
    .option("--out <file>", "write the config to FILE (default: the user config directory)")
    .option("-a, --allow <globs>", "client: driver client classes j may load (comma list)")
    .option("--unsafe", "client: let j load every driver client class")
    .option("-o, --output <format>", "path");
  withStore(withConfigTarget(command)).action(async (kind, name, options) => {
    const { adminImport } = await import("./admin-actions.js");
    await adminImport(kindOf(kind), name, options as typeof options & StoreOptions & TargetOptions);
  });
  return command;
}

/** Defines `jmp admin`. */
export function adminCommand(): CommandUnknownOpts {
  const admin = new Command("admin").alias("a").description("Manage the identities of a Jumpstarter controller (opens its database directly)");
  for (const command of [createCommand(), getCommand(), deleteCommand(), rotateCommand(), importCommand()]) admin.addCommand(command);
  return admin;
}
