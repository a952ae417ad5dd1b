// A router in its own process, restarted while a client's call streams through it: the call fails with an
// error (no hang), and the next command dials afresh and works.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Lab, mockDevices } from "./distributed-lab.js";

describe("distributed mode with a separate router process", () => {
  let lab: Lab;
  let client = "";
  before(async () => {
    lab = await Lab.start({ separateRouter: true });
    client = await lab.createClient("carol", { dialTimeout: 30 });
    const devices = { ...mockDevices, shell: { type: "jumpstarter_driver_shell.driver.Shell", config: { methods: { slow: "echo started; sleep 120; echo finished" } } } };
    await lab.startExporter(await lab.createExporter("routed", { labels: { board: "routed" }, export: devices }));
  });
  after(async () => {
    await lab?.close();
  });

  it("routes j through the separate router", async () => {
    const result = await lab.jmp(["shell", "--client-config", client, "-l", "board=routed", "--", "j", "power", "on"]);
    assert.equal(result.code, 0, result.stderr);
  });

  it("fails the call in flight when the router restarts, and serves the next one", async () => {
    const flag = join(lab.dir, "router.flag");
    const shell = lab.spawnJmp([
      "shell", "--client-config", client, "-l", "board=routed", "--",
      "sh", "-c", `j shell slow; echo slow=$?; while [ ! -e ${flag} ]; do sleep 0.1; done; j power off; echo after=$?`,
    ]);
    await shell.waitFor(/started/, 120_000);
    await lab.stopRouter("SIGKILL");
    const failed = await shell.waitFor(/slow=(\d+)/, 120_000);
    assert.notEqual(failed[1], "0");
    assert.match(shell.stderr(), /^Error: .+$/m);
    assert.doesNotMatch(shell.stdout(), /finished/);
    await lab.startRouter();
    await writeFile(flag, "");
    const result = await shell.exited;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /after=0\n$/);
  });
});
