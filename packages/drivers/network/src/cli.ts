/**
 * @module
 * `j` commands of `NetworkClient`: `address`, `forward-tcp [PORT] [--host HOST]` and `forward-unix PATH`.
 * The forwards print where they listen and run until SIGINT/SIGTERM. Output goes through the group's
 * `configureOutput().writeOut`.
 */
import { commandOutput } from "@jumpstarter/core";
import type { Command } from "commander";
import { InvalidArgumentError as CliArgumentError } from "commander";
import type { NetworkClient } from "./client.js";
import type { PortForward } from "./forward.js";

/** Adds the network subcommands to `group`. */
export function networkCommands(group: Command, client: NetworkClient): void {
  const { out: write, err: warn } = commandOutput(group);
  const onError = (error: unknown) => warn(`forwarded connection failed: ${error instanceof Error ? error.message : String(error)}\n`);

  group
    .command("address")
    .description("Print the address of the network service")
    .action(async () => {
      write(`${await client.address()}\n`);
    });
  group
    .command("forward-tcp")
    .description("Forward a local TCP port to the network service (until Ctrl-C)")
    .argument("[port]", "local port to listen on (0 picks a free one)", parsePort, 0)
    .option("--host <host>", "local address to listen on", "127.0.0.1")
    .action(async (port: number, options: { host: string }) => {
      await serveUntilStopped(await client.forwardTcp(port, options.host, { onError }), write);
    });
  group
    .command("forward-unix")
    .description("Forward a local unix socket to the network service (until Ctrl-C)")
    .argument("<path>", "unix socket path to create")
    .action(async (path: string) => {
      await serveUntilStopped(await client.forwardUnix(path, { onError }), write);
    });
  for (const command of group.commands) {
    const help = client.methodsDescription[command.name()];
    if (help !== undefined) command.description(help);
  }
}

async function serveUntilStopped(forward: PortForward, write: (text: string) => void): Promise<void> {
  try {
    write(`${forward.address}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  } finally {
    await forward.close();
  }
}

function parsePort(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535) throw new CliArgumentError("expected a port number (0-65535)");
  return value;
}
