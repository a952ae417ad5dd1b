import assert from "node:assert/strict";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { Command } from "commander";
import { serve } from "@jumpstarter/core/testing";
import { FlasherClient, StorageMuxClient, StorageMuxFlasherClient } from "./client.js";
import { flasherCommands, storageMuxCommands, storageMuxFlasherCommands } from "./cli.js";
import { FileFlasher, FileStorageMux, FileStorageMuxFlasher } from "./driver.js";
import { createProgress, formatBytes } from "./progress.js";
import { createScratch, sha256File } from "./testing.js";

/** A stderr stand-in that records what is written; `tty` makes it look like a terminal. */
class Capture extends Writable {
  text = "";
  readonly isTTY: boolean;
  readonly columns: number;

  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
    this.columns = tty ? 100 : 0;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** Runs `args` against a fresh commander group built by `add`. */
async function run(add: (group: Command) => void, args: readonly string[]): Promise<void> {
  const group = new Command("storage").exitOverride().configureOutput({ writeErr: () => {} });
  add(group);
  await group.parseAsync(args, { from: "user" });
}

describe("j storage (flasher)", () => {
  it("flashes with --target, prints plain progress lines when stderr is not a terminal, and dumps back", async () => {
    await using scratch = await createScratch();
    const targets = { disk: join(scratch.directory, "disk.img"), boot: join(scratch.directory, "boot.img") };
    await using served = await serve(new FileFlasher({ targets }), { client: FlasherClient });
    const image = await scratch.file("boot.bin", 8 * 1024 * 1024);
    const stderr = new Capture(false);
    const add = (group: Command) => flasherCommands(group, served.client, { progress: { stream: stderr } });
    await run(add, ["flash", image, "--target", "boot"]);
    assert.equal(await sha256File(targets.boot), await sha256File(image));
    const lines = stderr.text.trim().split("\n");
    assert.ok(lines.length >= 3 && lines.length <= 22, `one line per 5%, got:\n${stderr.text}`);
    assert.match(lines.at(-1)!, /^flash: 100% 8\.0 MiB \/ 8\.0 MiB \S+ \S+\/s$/);
    const back = join(scratch.directory, "back.img");
    await run(add, ["dump", back, "-t", "boot"]);
    assert.equal(await sha256File(back), await sha256File(image));
    assert.match(stderr.text, /dump: 8\.0 MiB \S+ \S+\/s\n$/);
  });

  it("draws a progress bar on a terminal", async () => {
    await using scratch = await createScratch();
    await using served = await serve(new FileFlasher({ targets: { disk: join(scratch.directory, "disk.img") } }), { client: FlasherClient });
    const image = await scratch.file("image.bin", 2 * 1024 * 1024);
    const stderr = new Capture(true);
    await run((group) => flasherCommands(group, served.client, { progress: { stream: stderr } }), ["flash", image]);
    assert.match(stderr.text, /flash \[[=-]+\] 100% \| 2\.0 MiB \/ 2\.0 MiB \| \S+ \S+\/s/);
  });

  it("fails with the driver's message for an unknown target", async () => {
    await using scratch = await createScratch();
    await using served = await serve(new FileFlasher({ targets: { disk: join(scratch.directory, "disk.img") } }), { client: FlasherClient });
    const image = await scratch.file("image.bin", 1000);
    const stderr = new Capture(false);
    await assert.rejects(
      run((group) => flasherCommands(group, served.client, { progress: { stream: stderr } }), ["flash", image, "--target", "nope"]),
      /unknown target "nope"; this flasher has: disk/,
    );
  });
});

describe("j storage (storage mux)", () => {
  it("switches with host, dut and off", async () => {
    await using scratch = await createScratch();
    const driver = new FileStorageMux({ path: join(scratch.directory, "sd.img") });
    await using served = await serve(driver, { client: StorageMuxClient });
    const add = (group: Command) => storageMuxCommands(group, served.client);
    for (const side of ["host", "dut", "off"] as const) {
      await run(add, [side]);
      assert.equal(driver.side, side);
    }
  });

  it("flashes through host → write → dut and dumps, leaving the mux on the DUT after flash", async () => {
    await using scratch = await createScratch();
    const device = join(scratch.directory, "sd.img");
    const driver = new FileStorageMuxFlasher({ path: device });
    await using served = await serve(driver, { client: StorageMuxFlasherClient });
    const image = await scratch.file("image.bin", 3 * 1024 * 1024);
    const stderr = new Capture(false);
    const add = (group: Command) => storageMuxFlasherCommands(group, served.client, { progress: { stream: stderr } });
    await run(add, ["flash", image]);
    assert.equal(driver.side, "dut");
    assert.equal(await sha256File(device), await sha256File(image));
    const back = join(scratch.directory, "back.img");
    await run(add, ["dump", back]);
    assert.equal(driver.side, "host");
    assert.equal(await sha256File(back), await sha256File(image));
    await assert.rejects(run(add, ["flash", image, "--target", "boot"]), /unknown option '--target'/);
  });
});

describe("progress display", () => {
  it("formats sizes with binary units", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(1024 ** 3), "1.0 GiB");
  });

  it("prints a line every step and once more at the end", () => {
    const stream = new Capture(false);
    let clock = 0;
    const progress = createProgress({ label: "flash", stream, stepPercent: 25, now: () => clock });
    for (let bytes = 1; bytes <= 100; bytes++) {
      clock += 10;
      progress.update({ bytes: bytes * 1024 * 1024, total: 100 * 1024 * 1024 });
    }
    progress.stop();
    assert.deepEqual(
      stream.text.trim().split("\n").map((line) => line.split(" ").slice(0, 2).join(" ")),
      ["flash: 1%", "flash: 25%", "flash: 50%", "flash: 75%", "flash: 100%"],
    );
    assert.match(stream.text, /flash: 100% 100\.0 MiB \/ 100\.0 MiB 100\.0 MiB\/s\n$/);
  });
});
