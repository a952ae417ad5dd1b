// The QEMU process lives no longer than the exporter session that started it: closing the session stops
// it, and so does killing the exporter process outright (SIGKILL leaves it no chance to clean up).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PowerClient } from "@jumpstarter/driver-power";
import { QemuClient } from "./client.js";
import { Qemu } from "./qemu.js";
import type { Board } from "./test-support/board.js";
import { demoBoard, qemuPids, waitNoQemu } from "./test-support/board.js";

let board: Board;
let dir = "";

before(async () => {
  board = demoBoard();
  dir = await mkdtemp(join(tmpdir(), "qemu-lifetime-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (name: string) => ({ kernel: board.kernel, initrd: board.initrd, memory: "128M", hostname: name, shutdown_timeout: 0 });

describe("QEMU process lifetime", () => {
  it("ends with the exporter session", async () => {
    const name = `life${randomBytes(3).toString("hex")}`;
    const served = await serve(new Qemu(config(name)), { client: QemuClient });
    try {
      await served.client.child("power", PowerClient).on();
      assert.equal(qemuPids(name).length, 1);
    } finally {
      await served.close();
    }
    await waitNoQemu(name);
  });

  it("dies with an exporter process killed by SIGKILL", async () => {
    const name = `kill${randomBytes(3).toString("hex")}`;
    const socket = join(dir, `${name}.sock`);
    const script = fileURLToPath(new URL("./test-support/exporter-process.js", import.meta.url));
    const exporter = spawn(process.execPath, [script, socket, JSON.stringify(config(name))], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(exporter, "exit");
    try {
      const [line] = (await once(exporter.stdout, "data")) as [Buffer];
      assert.equal(line.toString().trim(), "ready");
      const handle = await connectExporter<QemuClient>({ address: `unix:${socket}` }, { allowlist: unsafeAllowlist });
      try {
        await handle.root.child("power", PowerClient).on();
      } finally {
        handle.close();
      }
      const [pid] = qemuPids(name);
      assert.ok(pid !== undefined, "QEMU runs");
      exporter.kill("SIGKILL");
      await exited;
      await waitNoQemu(name, 10_000);
    } finally {
      if (exporter.exitCode === null && exporter.signalCode === null) exporter.kill("SIGKILL");
      // The killed exporter could not remove its working directory.
      for (const entry of readdirSync(tmpdir())) {
        if (entry.startsWith(`jumpstarter-qemu-${name}-`)) await rm(join(tmpdir(), entry), { recursive: true, force: true });
      }
    }
  });
});
