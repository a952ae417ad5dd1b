/**
 * @module
 * Run inside `jmp shell --exporter-config examples/virtual-board.yaml -- node example-probe.js NAME`: drives
 * the example's top-level entries the way a test script would (power, console, web, storage) and prints
 * what it saw as one JSON line.
 */
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import { CompositeClient } from "@jumpstarter/driver-composite";
import { NetworkClient } from "@jumpstarter/driver-network";
import { PowerClient } from "@jumpstarter/driver-power";
import { PySerialClient } from "@jumpstarter/driver-serial";
import { QemuClient, QemuFlasherClient } from "../client.js";
import { promptOf } from "./board.js";

const name = process.argv[2] ?? "demo";
const address = process.env["JUMPSTARTER_HOST"];
if (!address) throw new Error("JUMPSTARTER_HOST is not set: run me inside jmp shell");
const handle = await connectExporter<CompositeClient>({ address }, { allowlist: unsafeAllowlist, genericFallback: true });
try {
  const root = handle.root;
  const power = root.child("power", PowerClient);
  await power.on();
  await using console = await root.child("console", PySerialClient).console({ timeoutMs: 180_000 });
  await console.expect(promptOf(name));
  await console.sendline("uname -s; hostname");
  const { before } = await console.expect(promptOf(name));
  await using forward = await root.child("web", NetworkClient).forwardTcp();
  let page = "";
  for (let attempt = 0; attempt < 600 && !page.includes("demo board"); attempt++) {
    page = await fetch(`http://127.0.0.1:${forward.port}/`).then((response) => response.text(), () => "");
    if (!page.includes("demo board")) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await power.off();
  const board = root.child("board", QemuClient);
  const storage = root.child("storage", QemuFlasherClient);
  process.stdout.write(`${JSON.stringify({ console: before, page, hostname: await board.hostname(), storage: storage.clientLabel })}\n`);
} finally {
  handle.close();
}
