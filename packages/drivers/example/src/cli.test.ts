import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serve } from "@jumpstarter/core/testing";
import { Command } from "commander";
import { exampleCommands } from "./cli.js";
import { ExampleClient } from "./client.js";
import { ExampleDriver } from "./driver.js";

async function run(args: string[]): Promise<string> {
  await using served = await serve(new ExampleDriver({ port: 9 }), { client: ExampleClient });
  const output: string[] = [];
  const group = new Command("example").exitOverride().configureOutput({ writeOut: (text) => output.push(text) });
  exampleCommands(group, served.client);
  await group.parseAsync(args, { from: "user" });
  return output.join("");
}

describe("j <example> commands", () => {
  it("query prints the answer", async () => {
    assert.equal(await run(["query", "test"]), "Hello, test!\n");
  });

  it("async-query prints the answer", async () => {
    assert.equal(await run(["async-query", "test"]), "Hello, test! (async)\n");
  });

  it("get-data prints one line per item", async () => {
    assert.equal(await run(["get-data"]), "0: item 0\n1: item 1\n2: item 2\n");
  });
});
