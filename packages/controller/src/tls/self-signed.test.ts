import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, createServer } from "node:tls";
import { ensureSelfSignedTls } from "./self-signed.js";
import { endpointHost, subjectAltName } from "./subject-names.js";

async function handshake(material: { cert: string; key: string }, ca: string, servername: string, host = "127.0.0.1"): Promise<void> {
  const server = createServer({ cert: material.cert, key: material.key }, (socket) => socket.end("ok"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const socket = connect({ host, port: (server.address() as AddressInfo).port, ca, servername, ALPNProtocols: ["h2"] });
    socket.on("data", () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", () => resolve());
      socket.once("error", reject);
    });
    socket.destroy();
  } finally {
    server.close();
  }
}

describe("generated TLS material", () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-tls-"));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("covers the advertised hosts and verifies against the CA it prints", async () => {
    const material = await ensureSelfSignedTls(directory, ["127.0.0.5", "controller.lab.example"]);
    const leaf = new X509Certificate(material.cert);
    const ca = new X509Certificate(material.ca);
    assert.ok(leaf.verify(ca.publicKey), "server certificate is signed by the CA");
    assert.equal(leaf.checkIssued(ca), true);
    assert.ok(leaf.checkIP("127.0.0.5"));
    assert.ok(leaf.checkHost("controller.lab.example"));
    assert.ok(leaf.checkHost("localhost"));
    assert.equal(leaf.checkHost("other.example"), undefined);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.equal((await stat(join(directory, "ca.key"))).mode & 0o777, 0o600);
    assert.equal((await stat(join(directory, "server.key"))).mode & 0o777, 0o600);
    await handshake(material, material.ca, "controller.lab.example");
    await assert.rejects(handshake(material, material.ca, "other.example"), /altnames|does not match/i);
  });

  it("keeps the CA and the certificate across restarts, and re-issues only the server certificate for new hosts", async () => {
    const first = await ensureSelfSignedTls(directory, ["127.0.0.5", "controller.lab.example"]);
    const again = await ensureSelfSignedTls(directory, ["controller.lab.example"]);
    assert.equal(again.cert, first.cert);
    assert.equal(again.ca, first.ca);
    const moved = await ensureSelfSignedTls(directory, ["new-name.lab.example"]);
    assert.equal(moved.ca, first.ca);
    assert.notEqual(moved.cert, first.cert);
    assert.ok(new X509Certificate(moved.cert).checkHost("new-name.lab.example"));
    await handshake(moved, first.ca, "new-name.lab.example");
  });

  it("refuses a certificate from another CA", async () => {
    const other = await mkdtemp(join(tmpdir(), "jmp-tls-other-"));
    try {
      const mine = await ensureSelfSignedTls(directory, ["localhost"]);
      const theirs = await ensureSelfSignedTls(other, ["localhost"]);
      await assert.rejects(handshake(theirs, mine.ca, "localhost"), /self.signed|unable to verify|certificate/i);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});

describe("subject names", () => {
  it("takes the host out of endpoints", () => {
    assert.equal(endpointHost("controller.example:8082"), "controller.example");
    assert.equal(endpointHost("10.0.0.1:443"), "10.0.0.1");
    assert.equal(endpointHost("[::1]:8082"), "::1");
    assert.equal(endpointHost("::1"), "::1");
    assert.equal(endpointHost("bare"), "bare");
  });

  it("writes IP entries for addresses and DNS entries for names, skipping wildcard listen addresses", () => {
    assert.equal(subjectAltName(["a.example", "10.1.2.3", "::1", "0.0.0.0", "a.example"]), "DNS:a.example,IP:10.1.2.3,IP:::1");
  });
});
