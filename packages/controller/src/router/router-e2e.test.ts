import assert from "node:assert/strict";
import { once } from "node:events";
import { join } from "node:path";
import { describe, it } from "node:test";
import { connectExporter, unsafeAllowlist } from "@jumpstarter/core";
import { ExporterStatus as WireStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { DialResponse, ListenResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { startHarness } from "../testing/controller-harness.js";
import { serveTunnelSession } from "../testing/router-fixtures.js";
import { createLease, isReady, onlineExporter, shortName, waitForLease } from "../testing/scenario.js";
import { bridgeListen, dialingSocket, TunnelPool } from "../testing/tunnels.js";

describe("driver calls through the controller's router", () => {
  it("a client reaches a real exporter session via Dial, Listen and the router over TLS", async () => {
    await using h = await startHarness({}, { tls: true });
    const { identity: client } = await h.addClient("e2e-client");
    const exporter = await onlineExporter(h, "e2e-board", { board: "e2e" });
    const lease = shortName((await createLease(h, client, { selector: "board=e2e" })).name);
    await waitForLease(h, client, lease, isReady);

    const tunnelSession = await serveTunnelSession(h.directory);
    const sessionSocket = tunnelSession.socket;
    const pool = new TunnelPool({ ca: h.ca! });
    const listen = h.stream<ListenResponse>("listen", { leaseName: lease }, exporter);
    bridgeListen(listen, sessionSocket, pool);
    await h.unary("controller", "reportStatus", { status: WireStatus.LEASE_READY, message: "Ready for commands" }, exporter);
    for (let i = 0; i < 200 && h.controller.queues.size === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));

    const dials: DialResponse[] = [];
    const local = await dialingSocket(
      join(h.directory, "client.sock"),
      async () => {
        const response = await h.unary<DialResponse>("controller", "dial", { leaseName: lease }, client);
        dials.push(response);
        return response;
      },
      pool,
    );
    try {
      const handle = await connectExporter({ address: `unix:${join(h.directory, "client.sock")}` }, { allowlist: unsafeAllowlist, genericFallback: true });
      try {
        assert.equal(await handle.root.call("greet", ["through the router"]), "hello through the router");
        const { stream } = await handle.connection.openStream({ kind: "driver", uuid: handle.report.reports[0]!.uuid, method: "connect" });
        stream.write("bytes both ways");
        const [echoed] = (await once(stream, "data")) as [Buffer];
        assert.equal(echoed.toString(), "bytes both ways");
        // 16 MiB both ways at once through two nested HTTP/2 layers: flow control must not deadlock.
        const total = 16 * 2 ** 20;
        const chunk = Buffer.alloc(64 * 1024, 0x5a);
        let received = 0;
        let mismatch = false;
        const back = new Promise<void>((resolve) =>
          stream.on("data", (data: Buffer) => {
            if (data.some((byte) => byte !== 0x5a)) mismatch = true;
            received += data.byteLength;
            if (received >= total) resolve();
          }),
        );
        for (let sent = 0; sent < total; sent += chunk.byteLength) if (!stream.write(chunk)) await once(stream, "drain");
        await back;
        assert.equal(received, total);
        assert.equal(mismatch, false);
        stream.end();
        await once(stream, "close");
      } finally {
        handle.close();
      }
      assert.equal(dials.length, 1, "one Dial for the one local connection");
      assert.equal(dials[0]!.routerEndpoint, h.controller.routerAddress);
      assert.equal(h.controller.router!.stats.paired, 1);
      await Promise.all(pool.bridges);
      for (let i = 0; i < 200 && h.controller.router!.stats.relaying > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(h.controller.router!.stats.relaying, 0);
    } finally {
      local.close();
      listen.cancel();
      pool.close();
      await tunnelSession.close();
    }
  });
});
