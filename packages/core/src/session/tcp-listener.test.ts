import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Metadata } from "@grpc/grpc-js";
import type { ConnectOptions } from "../client/connection.js";
import { ExporterConnection } from "../client/connection.js";
import { DriverClient } from "../client/driver-client.js";
import { fromValue, toValues } from "../codec.js";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { Code, JumpstarterError } from "../errors.js";
import { selfSignedCertificate } from "../testing/tls.js";
import { listenSession } from "./server.js";
import type { ListenOptions, SessionServer } from "./server.js";
import { ExporterSession } from "./session.js";
import { ExporterStatus, StatusMachine } from "./status.js";

class Greeter extends Driver {
  client() {
    return "test.GreeterClient";
  }
  @exportMethod
  greet(name: string) {
    return `hello ${name}`;
  }
  @exportMethod
  async length(handle: unknown) {
    let bytes = 0;
    for await (const chunk of await this.resource(handle)) bytes += (chunk as Buffer).length;
    return bytes;
  }
  @exportstream
  async connect() {
    const echo = new PassThrough();
    return echo;
  }
}

/** A served Greeter and a way to reach it. */
async function listen(options: Omit<ListenOptions, "address"> & { address?: string } = {}) {
  const driver = new Greeter();
  const session = new ExporterSession({ root: driver, status: new StatusMachine(ExporterStatus.LEASE_READY) });
  const server = await listenSession(session, { address: "127.0.0.1:0", ...options });
  return { driver, session, server, close: async () => (await session.close(), await server.close()) };
}

async function greetOver(server: SessionServer, driver: Greeter, connect: Omit<ConnectOptions, "address">): Promise<string> {
  const connection = new ExporterConnection({ address: server.address, ...connect });
  try {
    return fromValue(await connection.driverCall(driver.uuid, "greet", toValues(["tcp"]), { timeoutMs: 10_000 })) as string;
  } finally {
    connection.close();
  }
}

describe("TCP listeners", () => {
  it("serves plaintext on 127.0.0.1 with a kernel-chosen port", async () => {
    const target = await listen();
    try {
      assert.match(target.server.address, /^127\.0\.0\.1:[1-9][0-9]*$/);
      assert.equal(await greetOver(target.server, target.driver, {}), "hello tcp");
    } finally {
      await target.close();
    }
  });

  describe("with TLS", () => {
    let directory: string;
    let cert: Buffer;
    let key: Buffer;
    let target: Awaited<ReturnType<typeof listen>>;

    before(async () => {
      directory = await mkdtemp(join(tmpdir(), "jumpstarter-tls-"));
      ({ cert, key } = await selfSignedCertificate(directory));
      target = await listen({ tls: { cert, key } });
    });
    after(async () => {
      await target.close();
      await rm(directory, { recursive: true, force: true });
    });

    it("accepts a client that pins the certificate with tls.ca", async () => {
      assert.equal(await greetOver(target.server, target.driver, { tls: { ca: cert } }), "hello tcp");
    });

    it("accepts a client with tls.insecure: true (still encrypted, not verified)", async () => {
      assert.equal(await greetOver(target.server, target.driver, { tls: { insecure: true } }), "hello tcp");
    });

    it("refuses clients that do not trust the certificate or speak plaintext", async () => {
      await assert.rejects(greetOver(target.server, target.driver, { tls: {} }), { code: Code.UNAVAILABLE });
      await assert.rejects(greetOver(target.server, target.driver, {}), { code: Code.UNAVAILABLE });
    });
  });
});

describe("authorize", () => {
  const passphrase = "correct horse";
  const authorize = (metadata: Metadata) => {
    if (metadata.get("x-jumpstarter-passphrase")[0] !== passphrase) {
      throw new JumpstarterError("invalid or missing passphrase", Code.UNAUTHENTICATED);
    }
  };
  let target: Awaited<ReturnType<typeof listen>>;
  before(async () => (target = await listen({ authorize })));
  after(() => target.close());

  it("refuses every ExporterService and RouterService call without the passphrase", async () => {
    for (const metadata of [undefined, { "x-jumpstarter-passphrase": "wrong" }]) {
      const connection = new ExporterConnection({ address: target.server.address, ...(metadata ? { metadata } : {}) });
      const refused = { code: Code.UNAUTHENTICATED, message: /invalid or missing passphrase/ };
      try {
        await assert.rejects(connection.getReport(), refused);
        await assert.rejects(connection.getStatus(), refused);
        await assert.rejects(connection.driverCall(target.driver.uuid, "greet", toValues(["x"])), refused);
        await assert.rejects(connection.streamingDriverCall(target.driver.uuid, "greet", []).next(), refused);
        await assert.rejects(connection.logStream().next(), refused);
        await assert.rejects(connection.openStream({ kind: "driver", uuid: target.driver.uuid, method: "connect" }), refused);
        await assert.rejects(connection.openStream({ kind: "resource", uuid: target.driver.uuid, x_jmp_content_encoding: null }), refused);
      } finally {
        connection.close();
      }
    }
    assert.equal(target.driver.resources.size, 0, "no resource was allocated for a refused stream");
  });

  it("serves calls, raw streams and resources that carry the passphrase", async () => {
    const connection = new ExporterConnection({ address: target.server.address, metadata: { "x-jumpstarter-passphrase": passphrase } });
    try {
      const report = await connection.getReport();
      const client = new DriverClient({ uuid: report.reports[0]!.uuid, labels: {}, methodsDescription: {}, children: {}, connection });
      assert.equal(await client.call("greet", ["friend"]), "hello friend");
      const stream = await client.stream("connect");
      stream.end("echo");
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), "echo");
      const length = await client.withResource({ source: Readable.from([Buffer.alloc(4096)]) }, (handle) => client.call("length", [handle]));
      assert.equal(length, 4096);
    } finally {
      connection.close();
    }
  });
});
