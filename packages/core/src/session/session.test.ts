import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { once } from "node:events";
import { describe, it } from "node:test";
import { Driver } from "../driver/driver.js";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Code, InvalidArgumentError, JumpstarterError, NotImplementedError } from "../errors.js";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { serve } from "../testing/serve.js";

class Echo extends Driver {
  port = 0;
  client() {
    return "test_driver.client.EchoClient";
  }
  @exportMethod
  echo(value: unknown) {
    return value;
  }
  @exportMethod
  async add(a: number, b = 1) {
    return a + b;
  }
  @exportMethod
  async *count(n: number) {
    for (let i = 0; i < n; i++) yield i;
  }
  @exportMethod
  fail(kind: string) {
    if (kind === "value") throw new InvalidArgumentError("bad value");
    if (kind === "notimpl") throw new NotImplementedError("nope");
    if (kind === "refused") throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", syscall: "connect" });
    if (kind === "enoent") throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", syscall: "open" });
    throw new Error("plain failure");
  }
  @exportstream
  async connect(): Promise<Duplex> {
    const socket = connect(this.port, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
  helper() {
    return "not exported";
  }
}

describe("exporter session over a unix socket", () => {
  it("serves unary, streaming and raw stream calls", async () => {
    const echoServer = createServer((socket: Socket) => socket.pipe(socket));
    echoServer.listen(0, "127.0.0.1");
    await once(echoServer, "listening");
    const driver = new Echo();
    driver.port = (echoServer.address() as AddressInfo).port;
    await using served = await serve(driver);
    const client = served.client;
    assert.deepEqual(await client.call("echo", [{ a: [1, "x", null, true] }]), { a: [1, "x", null, true] });
    assert.equal(await client.call("add", [2]), 3);
    assert.equal(await client.call("add", [2, 5]), 7);
    const items: unknown[] = [];
    for await (const item of client.streamingCall("count", [3])) items.push(item);
    assert.deepEqual(items, [0, 1, 2]);
    const stream = await client.stream("connect");
    stream.write("hello");
    stream.end();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "hello");
    echoServer.close();
  });

  it("maps errors like the reference", async () => {
    await using served = await serve(new Echo());
    const client = served.client;
    const cases: Array<[string, Code]> = [
      ["value", Code.INVALID_ARGUMENT],
      ["notimpl", Code.UNIMPLEMENTED],
      ["refused", Code.UNAVAILABLE],
      ["enoent", Code.INTERNAL],
      ["other", Code.UNKNOWN],
    ];
    for (const [kind, code] of cases) {
      await assert.rejects(client.call("fail", [kind]), (error: JumpstarterError) => error.code === code);
    }
    await assert.rejects(client.call("missing"), { code: Code.NOT_FOUND, message: "DriverCall 'missing' failed with gRPC NOT_FOUND: method missing not found on driver" });
    await assert.rejects(client.call("helper"), { code: Code.NOT_FOUND, message: /missing marker marker_drivercall/ });
    await assert.rejects(client.call("count", [1]), { code: Code.NOT_FOUND, message: /missing marker marker_drivercall/ });
    await assert.rejects(client.call("echo", [1, 2, 3]), { code: Code.UNKNOWN, message: /Echo.echo\(\) takes 2 positional arguments but 4 were given/ });
    assert.equal(await client.call("echo", ["still serving"]), "still serving");
  });
});
