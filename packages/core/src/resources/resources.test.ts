import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import type { DriverClient } from "../client/driver-client.js";
import { exportMethod } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { Code, InternalError, InvalidArgumentError } from "../errors.js";
import type { Served } from "../testing/serve.js";
import { serve } from "../testing/serve.js";

/** Deterministic, poorly compressible test data. */
function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >>> 16;
  }
  return out;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Yields `data` in `chunk`-sized pieces. */
function chunked(data: Buffer, chunk = 10_000): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
  );
}

function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

class Storage extends Driver {
  client() {
    return "test.StorageClient";
  }
  @exportMethod
  async digest(handle: unknown) {
    const stream = await this.resource(handle);
    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: hash.digest("hex"), bytes };
  }
  @exportMethod
  async dump(handle: unknown, size: number, seed: number) {
    const stream = await this.resource(handle);
    const data = pattern(size, seed);
    for (let i = 0; i < data.length; i += 30_000) {
      if (!stream.write(data.subarray(i, i + 30_000))) await once(stream, "drain");
    }
    stream.end();
    await finished(stream, { readable: false });
    return size;
  }
  @exportMethod
  async failMidway(handle: unknown) {
    const stream = await this.resource(handle);
    for await (const _ of stream) throw new InternalError("flash write failed at block 0");
    return "never";
  }
  @exportMethod
  async refuseLate(handle: unknown) {
    const stream = await this.resource(handle);
    // As a pipeline into a device that cannot be opened does: the stream fails, its error handled here.
    stream.once("error", () => {});
    stream.destroy(new InternalError("the device refused the image"));
    // The stream's failure reaches the client well before the call's own.
    await new Promise((resolve) => setTimeout(resolve, 100));
    throw new InternalError("the device refused the image");
  }
}

describe("resources (client streams)", () => {
  let served: Served<DriverClient>;
  let driver: Storage;
  const data = pattern(3 * 1024 * 1024 + 17);

  before(async () => {
    driver = new Storage();
    served = await serve(driver);
  });
  after(() => served.close());

  it("fails the call, not the process, when the exporter fails the stream after the upload finished", async () => {
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", record);
    try {
      await assert.rejects(
        served.client.withResource({ source: chunked(Buffer.from("small image")) }, (handle) => served.client.call("refuseLate", [handle])),
        /the device refused the image/,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("uncaughtException", record);
    }
    assert.deepEqual(uncaught, []);
  });

  it("uploads through withResource({source}) to a driver that reads this.resource(handle)", async () => {
    const result = await served.client.withResource({ source: chunked(data) }, (handle) => {
      assert.equal(handle.kind, "client_stream");
      assert.equal(handle.x_jmp_content_encoding, null);
      return served.client.call("digest", [handle]);
    });
    assert.deepEqual(result, { sha256: sha256(data), bytes: data.length });
    assert.equal(driver.resources.size, 0, "the resource is removed from the driver once taken");
  });

  it("downloads through withResource({sink}) what the driver writes", async () => {
    const { sink, bytes } = collector();
    const size = await served.client.withResource({ sink }, (handle) => served.client.call("dump", [handle, 2_000_000, 7]));
    assert.equal(size, 2_000_000);
    assert.equal(sha256(bytes()), sha256(pattern(2_000_000, 7)));
  });

  for (const [encoding, compress, decompress] of [
    ["gzip", gzipSync, gunzipSync],
    ["zstd", zstdCompressSync, zstdDecompressSync],
  ] as const) {
    it(`decompresses ${encoding} uploads and compresses downloads on the exporter`, async () => {
      const result = await served.client.withResource({ source: chunked(compress(data)), contentEncoding: encoding }, (handle) => {
        assert.equal(handle.x_jmp_content_encoding, encoding);
        return served.client.call("digest", [handle]);
      });
      assert.deepEqual(result, { sha256: sha256(data), bytes: data.length });
      const { sink, bytes } = collector();
      await served.client.withResource({ sink, contentEncoding: encoding }, (handle) => served.client.call("dump", [handle, 500_000, 3]));
      assert.equal(sha256(decompress(bytes())), sha256(pattern(500_000, 3)));
    });

    it(`negotiates ${encoding} away under JMP_DISABLE_COMPRESSION=1, and the client (de)compresses locally`, async () => {
      process.env["JMP_DISABLE_COMPRESSION"] = "1";
      try {
        const { metadata, stream } = await served.connection.openStream({ kind: "resource", uuid: driver.uuid, x_jmp_content_encoding: encoding });
        stream.destroy();
        assert.deepEqual(JSON.parse(String(metadata.get("resource")[0])).x_jmp_content_encoding, null);
        assert.deepEqual(metadata.get("x_jmp_accept_encoding"), []);
        const result = await served.client.withResource({ source: chunked(compress(data)), contentEncoding: encoding }, (handle) => {
          assert.equal(handle.x_jmp_content_encoding, null);
          return served.client.call("digest", [handle]);
        });
        assert.deepEqual(result, { sha256: sha256(data), bytes: data.length });
        const { sink, bytes } = collector();
        await served.client.withResource({ sink, contentEncoding: encoding }, (handle) => served.client.call("dump", [handle, 100_000, 9]));
        assert.equal(sha256(decompress(bytes())), sha256(pattern(100_000, 9)));
      } finally {
        delete process.env["JMP_DISABLE_COMPRESSION"];
      }
    });
  }

  it("answers the accepted encoding in x_jmp_accept_encoding", async () => {
    const { metadata, stream } = await served.connection.openStream({ kind: "resource", uuid: driver.uuid, x_jmp_content_encoding: "gzip" });
    stream.destroy();
    assert.deepEqual(metadata.get("x_jmp_accept_encoding"), ["gzip"]);
    const handle = JSON.parse(String(metadata.get("resource")[0])) as Record<string, unknown>;
    assert.deepEqual(Object.keys(handle).sort(), ["kind", "uuid", "x_jmp_content_encoding"]);
    assert.match(String(handle["uuid"]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  for (const encoding of ["xz", "bz2"] as const) {
    it(`negotiates ${encoding} away: null handle encoding and no x_jmp_accept_encoding`, async () => {
      const { metadata, stream } = await served.connection.openStream({ kind: "resource", uuid: driver.uuid, x_jmp_content_encoding: encoding });
      stream.destroy();
      const handle = JSON.parse(String(metadata.get("resource")[0])) as { kind: string; x_jmp_content_encoding: unknown };
      assert.deepEqual([handle.kind, handle.x_jmp_content_encoding], ["client_stream", null]);
      assert.deepEqual(metadata.get("x_jmp_accept_encoding"), [], "no x_jmp_accept_encoding key at all");
      await assert.rejects(
        served.client.withResource({ source: Readable.from([Buffer.from("x")]), contentEncoding: encoding }, () => assert.fail("not called")),
        (error: unknown) => error instanceof InvalidArgumentError && error.message.includes(`${encoding}-compressed`),
      );
    });
  }

  it("reports a driver that fails mid-read and keeps serving", async () => {
    await assert.rejects(
      served.client.withResource({ source: chunked(data) }, (handle) => served.client.call("failMidway", [handle])),
      (error: unknown) => error instanceof InternalError && error.code === Code.INTERNAL && /flash write failed/.test(error.message),
    );
    assert.equal(driver.resources.size, 0);
    const result = await served.client.withResource({ source: chunked(data.subarray(0, 1000)) }, (handle) =>
      served.client.call("digest", [handle]),
    );
    assert.deepEqual(result, { sha256: sha256(data.subarray(0, 1000)), bytes: 1000 });
  });

  it("drops a resource stream the driver never took when the client leaves", async () => {
    await assert.rejects(
      served.client.withResource({ source: chunked(data) }, async () => {
        assert.equal(driver.resources.size, 1);
        throw new Error("changed my mind");
      }),
      /changed my mind/,
    );
    for (let i = 0; driver.resources.size > 0 && i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(driver.resources.size, 0);
  });

  it("fails an unknown resource uuid with NOT_FOUND", async () => {
    const handle = { kind: "client_stream", uuid: "00000000-0000-4000-8000-000000000000", x_jmp_content_encoding: null };
    await assert.rejects(served.client.call("digest", [handle]), { code: Code.NOT_FOUND });
    await assert.rejects(served.client.call("digest", [{ kind: "carrier_pigeon" }]), { code: Code.INVALID_ARGUMENT });
  });
});

describe("presigned HTTP resources", () => {
  it("fetches GET handles and uploads PUT handles, finishing only once the server answered", async () => {
    const body = pattern(300_000, 5);
    const uploads: Buffer[] = [];
    const http = createServer((request, response) => {
      if (request.method === "GET" && request.url === "/image") {
        assert.equal(request.headers["x-token"], "t1");
        response.end(body);
        return;
      }
      if (request.method === "PUT" && request.url === "/dump") {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          uploads.push(Buffer.concat(chunks));
          response.statusCode = 201;
          response.end();
        });
        return;
      }
      response.statusCode = 403;
      response.end("denied");
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    await using served = await serve(new Storage());
    const got = await served.client.call("digest", [{ kind: "presigned_request", url: `${base}/image`, method: "GET", headers: { "x-token": "t1" } }]);
    assert.deepEqual(got, { sha256: sha256(body), bytes: body.length });
    await served.client.call("dump", [{ kind: "presigned_request", url: `${base}/dump`, method: "PUT", headers: {} }, 250_000, 4]);
    assert.equal(uploads.length, 1, "the call returned after the upload landed");
    assert.equal(sha256(uploads[0]!), sha256(pattern(250_000, 4)));
    await assert.rejects(
      served.client.call("digest", [{ kind: "presigned_request", url: `${base}/nope`, method: "GET", headers: {} }]),
      (error: unknown) => (error as { code?: number }).code === Code.UNAVAILABLE && /HTTP 403/.test(String(error)),
    );
    http.close();
    http.closeAllConnections();
    await assert.rejects(
      served.client.call("digest", [{ kind: "presigned_request", url: `${base}/image`, method: "GET", headers: {} }]),
      { code: Code.UNAVAILABLE },
    );
  });
});


