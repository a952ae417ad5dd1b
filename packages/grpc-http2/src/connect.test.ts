/*
 * GrpcClient through an HTTP proxy (CONNECT), plaintext and TLS inside the tunnel, with and without proxy
 * credentials; and how the environment names a proxy, as gRPC reads it.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import * as http from "node:http";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BidiCall } from "./calls.js";
import { GrpcClient } from "./client.js";
import { parseProxy, proxyFromEnv } from "./connect.js";
import { GrpcServer } from "./server.js";
import { BYTES_BIDI, bytesCodec, outcome, testService } from "./test-support.js";
import { selfSignedCertificate } from "./testing.js";

const handlers = {
  bytesBidi(call: BidiCall) {
    call.on("data", (message: Buffer) => call.write(message));
    call.on("end", () => call.end());
  },
};

/** A real CONNECT proxy on 127.0.0.1; `required` makes it demand that Proxy-Authorization. */
async function startProxy(required?: string): Promise<{ readonly url: string; readonly connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.writeHead(405).end());
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    if (required !== undefined && request.headers["proxy-authorization"] !== `Basic ${Buffer.from(required).toString("base64")}`) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      return;
    }
    connects.push(request.url ?? "");
    const [host, port] = [request.url!.slice(0, request.url!.lastIndexOf(":")), Number(request.url!.slice(request.url!.lastIndexOf(":") + 1))];
    const upstream = net.connect({ host, port }, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One echo call on `client`; resolves with what came back and the status code. */
async function echo(client: GrpcClient, text: string): Promise<{ readonly reply: string; readonly code: number; readonly details: string }> {
  const call = client.bidi(BYTES_BIDI, bytesCodec);
  const done = outcome(call);
  call.write(Buffer.from(text));
  call.end();
  const result = await done;
  return { reply: Buffer.concat(result.messages).toString(), code: result.status.code, details: result.status.details };
}

describe("GrpcClient through an HTTP proxy", () => {
  let directory: string;
  let plain: GrpcServer;
  let secure: GrpcServer;
  let plainAddress: string;
  let secureAddress: string;
  let cert: Buffer;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-grpc-proxy-"));
    const certificate = await selfSignedCertificate(directory, "proxy-test");
    cert = certificate.cert;
    plain = new GrpcServer();
    plain.addService(testService, handlers);
    plainAddress = await plain.listen("127.0.0.1:0");
    secure = new GrpcServer();
    secure.addService(testService, handlers);
    secureAddress = await secure.listen("127.0.0.1:0", { cert: certificate.cert, key: certificate.key });
  });
  after(async () => {
    await plain?.close();
    await secure?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("tunnels a plaintext connection through CONNECT host:port", async () => {
    const proxy = await startProxy();
    const client = new GrpcClient({ address: plainAddress, proxy: proxy.url });
    try {
      assert.deepEqual(await echo(client, "via proxy"), { reply: "via proxy", code: 0, details: "" });
      assert.deepEqual(await echo(client, "again"), { reply: "again", code: 0, details: "" });
      assert.deepEqual(proxy.connects, [plainAddress], "one tunnel, to the target, for both calls");
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it("runs TLS inside the tunnel, verifying the target's certificate", async () => {
    const proxy = await startProxy();
    const client = new GrpcClient({ address: secureAddress, proxy: proxy.url, tls: { ca: cert } });
    try {
      assert.deepEqual(await echo(client, "tls via proxy"), { reply: "tls via proxy", code: 0, details: "" });
      assert.deepEqual(proxy.connects, [secureAddress]);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it("sends the proxy URL's credentials; without them the call fails with UNAVAILABLE naming the refusal", async () => {
    const proxy = await startProxy("jumper:s3cr3t");
    const port = new URL(proxy.url).port;
    const good = new GrpcClient({ address: plainAddress, proxy: `http://jumper:s3cr3t@127.0.0.1:${port}` });
    const bad = new GrpcClient({ address: plainAddress, proxy: proxy.url });
    try {
      assert.deepEqual(await echo(good, "authorized"), { reply: "authorized", code: 0, details: "" });
      const refused = await echo(bad, "refused");
      assert.equal(refused.code, 14);
      assert.match(refused.details, /refused CONNECT .*407/);
    } finally {
      good.close();
      bad.close();
      await proxy.close();
    }
  });

  it("fails with UNAVAILABLE naming the proxy when nothing listens there", async () => {
    const proxy = await startProxy();
    await proxy.close();
    const client = new GrpcClient({ address: plainAddress, proxy: proxy.url });
    try {
      const result = await echo(client, "nobody");
      assert.equal(result.code, 14);
      assert.match(result.details, /ECONNREFUSED/);
    } finally {
      client.close();
    }
  });
});

describe("proxy from the environment", () => {
  it("takes grpc_proxy, then https_proxy, then http_proxy", () => {
    assert.deepEqual(proxyFromEnv("lab.test", { grpc_proxy: "http://a:1", https_proxy: "http://b:2", http_proxy: "http://c:3" }), { host: "a", port: 1 });
    assert.deepEqual(proxyFromEnv("lab.test", { https_proxy: "http://b:2", http_proxy: "http://c:3" }), { host: "b", port: 2 });
    assert.deepEqual(proxyFromEnv("lab.test", { http_proxy: "c:3" }), { host: "c", port: 3 });
    assert.equal(proxyFromEnv("lab.test", {}), undefined);
  });

  it("leaves out hosts in no_grpc_proxy or no_proxy: exact names, domain suffixes, *", () => {
    const env = { grpc_proxy: "http://proxy:3128" };
    assert.equal(proxyFromEnv("router.lab.test", { ...env, no_proxy: "localhost,.lab.test" }), undefined);
    assert.equal(proxyFromEnv("lab.test", { ...env, no_proxy: "lab.test" }), undefined);
    assert.equal(proxyFromEnv("10.0.0.7", { ...env, no_grpc_proxy: "10.0.0.7:443" }), undefined);
    assert.equal(proxyFromEnv("anything", { ...env, no_proxy: "*" }), undefined);
    assert.deepEqual(proxyFromEnv("notlab.test", { ...env, no_proxy: "lab.test" }), { host: "proxy", port: 3128 });
  });

  it("parses credentials and refuses proxies that are not http://", () => {
    assert.deepEqual(parseProxy("http://us%40er:p%3Ass@[::1]:8080"), { host: "::1", port: 8080, credentials: "us@er:p:ss" });
    assert.throws(() => parseProxy("socks5://proxy:1080"), /only http:\/\/ proxies/);
  });
});
