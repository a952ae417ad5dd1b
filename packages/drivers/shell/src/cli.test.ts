import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serve } from "@jumpstarter/core/testing";
import { Command } from "commander";
import { ShellClient } from "./client.js";
import { exitStatusOf, shellCommands } from "./cli.js";
import { Shell } from "./driver.js";

function makeShell(): Shell {
  return new Shell(
    {
      methods: {
        hello: "echo hello-from-shell",
        greet: { command: 'echo "greet $1 $2"', description: "echo the first argument" },
        env: 'echo "$A/$B"',
        fail: "echo bad >&2; exit 7",
        _secret: "echo hidden",
      },
    },
    { methodsDescription: { hello: "Say hello" } },
  );
}

async function shellGroup(client: ShellClient) {
  let out = "";
  let err = "";
  const group = new Command("shell")
    .exitOverride()
    .configureOutput({ writeOut: (text) => void (out += text), writeErr: (text) => void (err += text) });
  await shellCommands(group, client);
  for (const command of group.commands) command.exitOverride();
  return { group, out: () => out, err: () => err };
}

describe("j shell commands", () => {
  it("has one command per public method, with help from the descriptions", async () => {
    await using served = await serve(makeShell(), { client: ShellClient });
    const { group } = await shellGroup(served.client);
    assert.deepEqual(
      group.commands.map((command) => [command.name(), command.description()]),
      [
        ["hello", "Say hello"],
        ["greet", "echo the first argument"],
        ["env", "Execute the env shell method"],
        ["fail", "Execute the fail shell method"],
      ],
    );
    assert.equal(group.description(), "Shell command executor");
  });

  it("prints output, passes arguments and options after the first argument through, and sets env", async () => {
    await using served = await serve(makeShell(), { client: ShellClient });
    const { group, out } = await shellGroup(served.client);
    await group.parseAsync(["hello"], { from: "user" });
    await group.parseAsync(["greet", "world", "--loud"], { from: "user" });
    await group.parseAsync(["env", "-e", "A=1", "--env", "B=x=y"], { from: "user" });
    assert.equal(out(), "hello-from-shell\ngreet world --loud\n1/x=y\n");
    assert.equal(process.exitCode ?? 0, 0);
  });

  it("exits with the script's return code and shows its stderr", async () => {
    await using served = await serve(makeShell(), { client: ShellClient });
    const { group, err } = await shellGroup(served.client);
    try {
      await group.parseAsync(["fail"], { from: "user" });
      assert.equal(process.exitCode, 7);
      assert.equal(err(), "bad\n");
    } finally {
      process.exitCode = undefined;
    }
  });

  it("rejects unknown methods and malformed --env", async () => {
    await using served = await serve(makeShell(), { client: ShellClient });
    const { group } = await shellGroup(served.client);
    await assert.rejects(group.parseAsync(["_secret"], { from: "user" }), { code: "commander.unknownCommand" });
    await assert.rejects(group.parseAsync(["env", "-e", "novalue"], { from: "user" }), { code: "commander.invalidArgument" });
  });

  it("maps return codes to exit statuses", () => {
    assert.equal(exitStatusOf(0), 0);
    assert.equal(exitStatusOf(199), 199);
    assert.equal(exitStatusOf(-15), 143);
    assert.equal(exitStatusOf(300), 1);
  });
});
