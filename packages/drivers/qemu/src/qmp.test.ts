import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { findExecutable } from "./host.js";
import { QmpClient, QmpCommandError } from "./qmp.js";

// A real QEMU without a guest (`-machine none`) answers QMP at once.
describe("QmpClient against qemu-system-x86_64 -machine none", () => {
  let dir = "";
  let qemu: ReturnType<typeof spawn> | undefined;
  let socket = "";

  before(async () => {
    const binary = findExecutable("qemu-system-x86_64");
    if (!binary) throw new Error("qemu-system-x86_64 is not installed: apt-get install qemu-system-x86");
    dir = await mkdtemp(join(tmpdir(), "qmp-test-"));
    socket = join(dir, "qmp");
    qemu = spawn(binary, ["-machine", "none", "-nodefaults", "-display", "none", "-qmp", `unix:${socket},server=on,wait=off`], { stdio: "ignore" });
  });

  after(async () => {
    if (qemu && qemu.exitCode === null) {
      qemu.kill("SIGKILL");
      await once(qemu, "exit");
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(): Promise<QmpClient> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await QmpClient.connect(socket);
      } catch (error) {
        if (attempt > 600) throw error;
        await sleep(50);
      }
    }
  }

  it("negotiates, runs commands and reports QEMU's errors with their class", async () => {
    const qmp = await connect();
    try {
      const status = (await qmp.execute("query-status")) as { status: string };
      assert.equal(typeof status.status, "string");
      const name = (await qmp.execute("query-name")) as Record<string, unknown>;
      assert.deepEqual(name, {});
      await assert.rejects(qmp.execute("no-such-command"), (error: unknown) => {
        assert.ok(error instanceof QmpCommandError);
        assert.equal(error.errorClass, "CommandNotFound");
        assert.match(error.message, /QMP no-such-command failed: .*no-such-command/);
        return true;
      });
      const [commands, version] = await Promise.all([qmp.execute("query-commands"), qmp.execute("query-version")]);
      assert.ok(Array.isArray(commands));
      assert.equal(typeof (version as { qemu: { major: number } }).qemu.major, "number");
    } finally {
      qmp.close();
    }
  });

  it("emits SHUTDOWN and closes when QEMU quits; later commands fail", async () => {
    const qmp = await connect();
    const closed = once(qmp, "close");
    const events: string[] = [];
    qmp.on("event", (event) => events.push(event.event));
    await qmp.execute("quit");
    await closed;
    assert.ok(events.includes("SHUTDOWN"), `events: ${events.join(", ")}`);
    assert.equal(qmp.closed, true);
    await assert.rejects(qmp.execute("query-status"), /QMP connection closed/);
  });

  it("fails to connect to a socket nobody listens on", async () => {
    await assert.rejects(QmpClient.connect(join(dir, "missing")), { code: "ENOENT" });
  });
});
