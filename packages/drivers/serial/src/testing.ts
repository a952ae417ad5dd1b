/**
 * @module
 * `@jumpstarter/driver-serial/testing`: the contract every serial driver implementation runs, through a
 * real exporter session (`serve`).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { it } from "node:test";
import type { Driver } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PySerialClient } from "./client.js";
import { PYSERIAL_CLIENT } from "./interface.js";

/** One driver under test and the far end of its line. */
export interface SerialFixture extends AsyncDisposable {
  readonly driver: Driver;
  /** The device side of the line, or `"loopback"` when the driver echoes what it is sent. */
  readonly peer: Duplex | "loopback";
}

/** Registers the serial contract tests (call inside a `describe`). */
export function runPySerialContract(makeFixture: () => Promise<SerialFixture>): void {
  it("reports the PySerialClient label", async () => {
    await using fixture = await makeFixture();
    assert.equal(fixture.driver.client(), PYSERIAL_CLIENT);
  });

  it("carries bytes both ways through connect", async () => {
    await using fixture = await makeFixture();
    await using served = await serve(fixture.driver, { client: PySerialClient });
    const port = await served.client.open();
    try {
      const outbound = randomBytes(4096);
      port.write(outbound);
      if (fixture.peer === "loopback") {
        assert.deepEqual(await take(port, outbound.length), outbound);
      } else {
        assert.deepEqual(await take(fixture.peer, outbound.length), outbound);
        const inbound = randomBytes(4096);
        fixture.peer.write(inbound);
        assert.deepEqual(await take(port, inbound.length), inbound);
      }
    } finally {
      port.destroy();
    }
  });

  it("ends the stream when the driver's close() is called", async () => {
    await using fixture = await makeFixture();
    await using served = await serve(fixture.driver, { client: PySerialClient });
    const port = await served.client.open();
    port.resume();
    const ended = once(port, "end");
    await served.client.close();
    await ended;
    port.destroy();
    const again = await served.client.open();
    again.destroy();
  });
}

/** Reads exactly `length` bytes from `stream`. */
async function take(stream: Duplex, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  while (received < length) {
    const chunk = (stream.read() as Buffer | null) ?? null;
    if (chunk === null) {
      if (stream.readableEnded || stream.destroyed) throw new Error(`stream ended after ${received} of ${length} bytes`);
      await Promise.race([once(stream, "readable"), once(stream, "close")]);
      continue;
    }
    chunks.push(chunk);
    received += chunk.length;
  }
  const all = Buffer.concat(chunks);
  if (all.length > length) stream.unshift(all.subarray(length));
  return all.subarray(0, length);
}
