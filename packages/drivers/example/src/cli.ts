/**
 * @module
 * `j` commands of `ExampleClient`: `query PARAM`, `async-query PARAM` and `get-data`. Commands only parse,
 * call the client and print; output goes through the group's `configureOutput().writeOut`.
 */
import { commandOutput } from "@jumpstarter/core";
import type { Command } from "commander";
import type { ExampleClient } from "./client.js";

/** Adds the example subcommands to `group` (the CLI has already named it after the driver). */
export function exampleCommands(group: Command, client: ExampleClient): void {
  const write = commandOutput(group).out;
  group
    .command("query")
    .description("Ask the driver a question")
    .argument("<param>", "what to ask")
    .action(async (param: string) => write(`${await client.query(param)}\n`));
  group
    .command("async-query")
    .description("Ask the driver a question (served asynchronously)")
    .argument("<param>", "what to ask")
    .action(async (param: string) => write(`${await client.asyncQuery(param)}\n`));
  group
    .command("get-data")
    .description("Stream the driver's items")
    .action(async () => {
      for await (const item of client.getData()) write(`${item.index}: ${item.message}\n`);
    });
  for (const command of group.commands) {
    const help = client.methodsDescription[command.name()];
    if (help !== undefined) command.description(help);
  }
}
