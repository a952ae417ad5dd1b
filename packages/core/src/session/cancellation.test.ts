import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { CancelledError, Code, ConnectionError, InvalidArgumentError } from "../errors.js";
import { serve } from "../testing/serve.js";
import { deferred, eventually, settled, within } from "../testing/wait.js";
import { callSignal } from "./call-context.js";

/** A TCP server on 127.0.0.1 whose accepted sockets (and when they closed) the test can watch. */
async function tcpServer(
  onSocket: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Socket[]; closed: Array<Promise<unknown>> }> {
  const sockets: Socket[] = [];
  const closed: Array<Promise<unknown>> = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    closed.push(once(socket, "close"));
    onSocket(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port, sockets, closed };
}

class Ticker extends Driver {
  port = 0;
  produced = 0;
  readonly signals: AbortSignal[] = [];
  readonly finallyRan = deferred();
  readonly started = deferred();

  client() {
    return "test.TickerClient";
  }
  @exportMethod
  async *ticks() {
    this.signals.push(callSignal());
    try {
      for (let i = 0; ; i++) {
        this.produced++;
        yield i;
        await tick();
      }
    } finally {
      this.finallyRan.resolve();
    }
  }
  @exportMethod
  async *firstThenWait() {
    const signal = callSignal();
    this.signals.push(signal);
    try {
      yield "first";
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    } finally {
      this.finallyRan.resolve();
    }
  }
  @exportMethod
  async *big(size: number) {
    const chunk = "x".repeat(size);
    for (;;) {
      this.produced++;
      yield chunk;
    }
  }
  @exportMethod
  async *badValue() {
    try {
      yield 1;
      yield () => "functions cannot travel";
      yield 3;
    } finally {
      this.finallyRan.resolve();
    }
  }
  @exportMethod
  async slow() {
    const signal = callSignal();
    this.signals.push(signal);
    this.started.resolve();
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    return "late";
  }
  @exportMethod
  add(a: number, b: number) {
    return a + b;
  }
  @exportstream
  async connect(): Promise<Duplex> {
    this.signals.push(callSignal());
    const socket = connect(this.port, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
}

describe("cancellation and teardown", () => {
  it("closes a streaming call's generator and aborts callSignal() when the client stops reading", async () => {
    const driver = new Ticker();
    await using served = await serve(driver);
    const seen: unknown[] = [];
    for await (const value of served.client.streamingCall("ticks")) {
      seen.push(value);
      if (seen.length === 3) break;
    }
    assert.deepEqual(seen, [0, 1, 2]);
    await within(driver.finallyRan.promise, "the generator's finally");
    await eventually(() => driver.signals[0]!.aborted, "callSignal() to abort");
    assert.ok(driver.signals[0]!.reason instanceof CancelledError);
    assert.equal(await served.client.call("add", [1, 2]), 3);
  });

  it("aborts callSignal() for a generator waiting between values, so its finally runs", async () => {
    const driver = new Ticker();
    await using served = await serve(driver);
    const controller = new AbortController();
    const iterator = served.client.streamingCall("firstThenWait", [], { signal: controller.signal });
    assert.deepEqual(await iterator.next(), { done: false, value: "first" });
    controller.abort();
    await assert.rejects(iterator.next(), (error: unknown) => error instanceof CancelledError);
    await within(driver.finallyRan.promise, "the generator's finally");
    assert.ok(driver.signals[0]!.aborted);
    assert.equal(await served.client.call("add", [1, 2]), 3);
  });

  it("paces a streaming call by the client's reading (backpressure)", async () => {
    const driver = new Ticker();
    await using served = await serve(driver);
    const iterator = served.client.streamingCall("big", [64 * 1024]);
    assert.equal(((await iterator.next()).value as string).length, 64 * 1024);
    const produced = await settled(() => driver.produced, "the producer");
    assert.ok(produced < 400, `the generator ran ${produced} values ahead of a reader that took one`);
    for (let i = 0; i < 50; i++) await iterator.next();
    await iterator.return(undefined);
    assert.equal(await served.client.call("add", [1, 2]), 3);
  });

  it("fails a streaming call whose value cannot be encoded, after the values before it, and closes the generator", async () => {
    const driver = new Ticker();
    await using served = await serve(driver);
    const seen: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const value of served.client.streamingCall("badValue")) seen.push(value);
      })(),
      (error: unknown) => error instanceof InvalidArgumentError && /cannot encode a function/.test(error.message),
    );
    assert.deepEqual(seen, [1]);
    await within(driver.finallyRan.promise, "the generator's finally");
  });

  it("aborts a unary call's callSignal() when the client aborts it", async () => {
    const driver = new Ticker();
    await using served = await serve(driver);
    const controller = new AbortController();
    const call = served.client.call("slow", [], { signal: controller.signal });
    await within(driver.started.promise, "the call to start");
    controller.abort();
    await assert.rejects(call, (error: unknown) => error instanceof CancelledError && error.code === Code.CANCELLED);
    await eventually(() => driver.signals[0]!.aborted, "callSignal() to abort");
    assert.equal(await served.client.call("add", [2, 2]), 4);
  });

  it("aborts calls in flight when the session closes", async () => {
    const driver = new Ticker();
    const served = await serve(driver);
    const unary = served.client.call("slow").catch((error: unknown) => error);
    await within(driver.started.promise, "the call to start");
    const stream = served.client.streamingCall("ticks");
    await stream.next();
    await served.close();
    await within(driver.finallyRan.promise, "the generator's finally");
    await eventually(() => driver.signals.every((signal) => signal.aborted), "every callSignal() to abort");
    assert.ok((await unary) instanceof Error);
  });

  it("destroys the driver's stream and aborts its callSignal() when the client cancels a raw stream", async () => {
    const echo = await tcpServer((socket) => socket.pipe(socket));
    const driver = new Ticker();
    driver.port = echo.port;
    await using served = await serve(driver);
    const stream = await served.client.stream("connect");
    stream.write("ping");
    const [chunk] = (await once(stream, "data")) as [Buffer];
    assert.equal(chunk.toString(), "ping");
    assert.equal(echo.sockets.length, 1);
    stream.destroy();
    await within(echo.closed[0]!, "the device connection to close");
    await eventually(() => driver.signals[0]!.aborted, "the stream's callSignal() to abort");
    assert.equal(await served.client.call("add", [1, 1]), 2);
    echo.server.close();
  });

  it("half-closes both ways: client end → device FIN → device end → client EOF", async () => {
    const echo = await tcpServer((socket) => socket.pipe(socket));
    const driver = new Ticker();
    driver.port = echo.port;
    await using served = await serve(driver);
    const stream = await served.client.stream("connect");
    const streamClosed = once(stream, "close");
    stream.end("last words");
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "last words");
    await within(echo.closed[0]!, "the device connection to close");
    await within(streamClosed, "the stream to close");
    echo.server.close();
  });

  it("ends the client's stream when the device hangs up, even if the client never half-closes", async () => {
    const device = await tcpServer((socket) => socket.end("bye"));
    const driver = new Ticker();
    driver.port = device.port;
    await using served = await serve(driver);
    const stream = await served.client.stream("connect");
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await within(once(stream, "end"), "EOF from the device");
    assert.equal(Buffer.concat(chunks).toString(), "bye");
    await within(once(stream, "close"), "the stream to close");
    device.server.close();
  });

  it("fails the client's stream with UNAVAILABLE when the device resets the connection", async () => {
    const device = await tcpServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
    const driver = new Ticker();
    driver.port = device.port;
    await using served = await serve(driver);
    const stream = await served.client.stream("connect");
    stream.resume();
    stream.write("anything");
    const [error] = (await within(once(stream, "error").catch((e: unknown) => [e]), "the stream to fail")) as [unknown];
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(await served.client.call("add", [1, 1]), 2);
    device.server.close();
  });
});
