import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { serve } from "../testing/serve.js";
import { within } from "../testing/wait.js";

class Tcp extends Driver {
  constructor(readonly port: number) {
    super();
  }
  client() {
    return "test.TcpClient";
  }
  @exportstream
  async connect(): Promise<Duplex> {
    const socket = connect(this.port, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
}

describe("raw streams in both directions at once", () => {
  it("relays 16 MiB to a TCP echo and back while still writing, byte-exact", async () => {
    const sockets = new Set<Socket>();
    const echo = createServer((socket) => {
      sockets.add(socket);
      socket.pipe(socket);
    });
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    await using _echo = {
      [Symbol.asyncDispose]: async () => {
        for (const socket of sockets) socket.destroy();
        echo.close();
      },
    };
    await using served = await serve(new Tcp((echo.address() as AddressInfo).port));
    const stream = await served.client.stream("connect");
    const total = 16 * 1024 * 1024;
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let receivedBytes = 0;
    stream.on("data", (chunk: Buffer) => {
      received.update(chunk);
      receivedBytes += chunk.length;
    });
    const ended = once(stream, "end");
    await within(
      (async () => {
        for (let written = 0; written < total; written += 256 * 1024) {
          const chunk = randomBytes(256 * 1024);
          sent.update(chunk);
          if (!stream.write(chunk)) await once(stream, "drain");
        }
        stream.end();
        await ended;
      })(),
      `16 MiB to come back (got ${receivedBytes} bytes so far)`,
    );
    assert.equal(receivedBytes, total);
    assert.equal(received.digest("hex"), sent.digest("hex"));
  });
});
