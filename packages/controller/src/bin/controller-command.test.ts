import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { silentLogger } from "@jumpstarter/core";
import { runController } from "./controller-command.js";
import { readControllerInfo } from "./controller-info.js";

describe("runController", () => {
  it("serves the router on its own listener and advertises it with the controller's host", async () => {
    const directory = await mkdtemp(join(tmpdir(), "jmp-run-controller-"));
    try {
      const running = await runController(
        { listen: "127.0.0.1:0", endpoint: "ctl.lab.test:8082", routerListen: "127.0.0.1:0", database: join(directory, "c.db"), namespace: "lab" },
        silentLogger,
      );
      try {
        const { controller } = running;
        assert.ok(controller.routerAddress);
        assert.notEqual(controller.routerAddress, controller.address);
        assert.deepEqual(controller.routers, [{ name: "default", endpoint: `ctl.lab.test:${controller.routerAddress.split(":").pop()}`, labels: {} }]);
        const info = await readControllerInfo(directory);
        assert.equal(info?.endpoint, "ctl.lab.test:8082");
        assert.equal(info?.namespace, "lab");
        assert.match(info?.ca ?? "", /BEGIN CERTIFICATE/);
      } finally {
        await running.close();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("refuses a certificate without its key", async () => {
    await assert.rejects(
      runController({ listen: "127.0.0.1:0", routerListen: "same", database: ":memory:", namespace: "default", tlsCert: "/nonexistent.pem", stateDir: tmpdir() }, silentLogger),
      /--tls-cert and --tls-key go together/,
    );
  });
});
