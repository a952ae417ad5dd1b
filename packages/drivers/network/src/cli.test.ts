import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve, within } from "@jumpstarter/core/testing";
import { Command } from "commander";
import { networkCommands } from "./cli.js";
import { NetworkClient } from "./client.js";
import { EchoNetwork } from "./echo.js";
import { StreamReader } from "./stream-reader.js";
import { TcpNetwork } from "./tcp.js";

function group(client: NetworkClient): { command: Command; output: string[] } {
  const output: string[] = [];
  const command = new Command("net").exitOverride().configureOutput({ writeOut: (text) => output.push(text), writeErr: (text) => output.push(text) });
  networkCommands(command, client);
  return { command, output };
}

describe("j <network> commands", () => {
  it("names the commands like the reference client", async () => {
    await using served = await serve(new EchoNetwork(), { client: NetworkClient });
    assert.deepEqual(group(served.client).command.commands.map((command) => command.name()), ["address", "forward-tcp", "forward-unix"]);
  });

  it("address prints the driver address", async () => {
    await using served = await serve(new TcpNetwork({ host: "127.0.0.1", port: 2222 }), { client: NetworkClient });
    const { command, output } = group(served.client);
    await command.parseAsync(["address"], { from: "user" });
    assert.deepEqual(output, ["tcp://127.0.0.1:2222\n"]);
  });

  it("address fails when the exporter disabled it", async () => {
    await using served = await serve(new TcpNetwork({ host: "127.0.0.1", port: 2222, enable_address: false }), { client: NetworkClient });
    await assert.rejects(group(served.client).command.parseAsync(["address"], { from: "user" }), { code: Code.INVALID_ARGUMENT });
  });

  it("forward-tcp rejects a bad port", async () => {
    await using served = await serve(new EchoNetwork(), { client: NetworkClient });
    await assert.rejects(group(served.client).command.parseAsync(["forward-tcp", "http"], { from: "user" }), /expected a port number/);
  });

  it("forward-unix prints the socket path, relays, and stops on SIGINT", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jumpstarter-cli-"));
    try {
      const path = join(directory, "net.sock");
      await using served = await serve(new EchoNetwork(), { client: NetworkClient });
      const { command, output } = group(served.client);
      const running = command.parseAsync(["forward-unix", path], { from: "user" });
      while (output.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(output, [`${path}\n`]);
      const socket = connect({ path, allowHalfOpen: true });
      await once(socket, "connect");
      socket.end("via j");
      assert.equal((await new StreamReader(socket).readToEnd()).toString(), "via j");
      process.emit("SIGINT");
      await within(running, "forward-unix to stop");
      const refused = connect({ path });
      const [error] = (await once(refused, "error")) as [NodeJS.ErrnoException];
      assert.equal(error.code, "ENOENT");
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("forward-tcp runs in its own process until SIGTERM", { timeout: 60_000 }, async () => {
    const dist = new URL(".", import.meta.url).href;
    const coreTesting = import.meta.resolve("@jumpstarter/core/testing");
    const script = `
      import { Command } from "commander";
      import { serve } from ${JSON.stringify(coreTesting)};
      import { networkCommands } from ${JSON.stringify(`${dist}cli.js`)};
      import { NetworkClient } from ${JSON.stringify(`${dist}client.js`)};
      import { EchoNetwork } from ${JSON.stringify(`${dist}echo.js`)};
      const served = await serve(new EchoNetwork(), { client: NetworkClient });
      const group = new Command("net");
      networkCommands(group, served.client);
      await group.parseAsync(["forward-tcp", "0"], { from: "user" });
      await served.close();
      process.stdout.write("stopped\\n");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(child, "exit");
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const address = (await within(lines.next(), "the listening address")).value as string;
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    const socket = connect({ host: "127.0.0.1", port: Number(address.split(":")[1]), allowHalfOpen: true });
    await once(socket, "connect");
    socket.end("across processes");
    assert.equal((await new StreamReader(socket).readToEnd()).toString(), "across processes");
    child.kill("SIGTERM");
    assert.equal((await within(lines.next(), "the child to stop")).value, "stopped");
    const [code] = (await within(exited, "the child to exit")) as [number | null];
    assert.equal(code, 0);
  });
});
