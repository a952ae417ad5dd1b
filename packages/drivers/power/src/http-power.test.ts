import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Code } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { PowerClient } from "./client.js";
import { runPowerContract } from "./contract.js";
import { HttpPower } from "./http-power.js";
import type { HttpPowerConfig } from "./http-power.js";

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

type Handler = (request: Recorded, response: ServerResponse) => boolean;

/** A fake PDU on 127.0.0.1: records every request, answers /on, /off and /meter unless a handler takes over. */
class FakePdu {
  readonly requests: Recorded[] = [];
  state: "on" | "off" | undefined;
  meter: unknown = { voltage: 230.5, current: 0.25 };
  handler: Handler | undefined;
  readonly #server = createServer((request, response) => void this.#serve(request, response));
  base = "";

  async start(): Promise<void> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
  }

  reset(): void {
    this.requests.length = 0;
    this.state = undefined;
    this.handler = undefined;
    this.meter = { voltage: 230.5, current: 0.25 };
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: Recorded = {
      method: request.method ?? "",
      url: request.url ?? "",
      authorization: request.headers.authorization,
      contentType: request.headers["content-type"],
      body: Buffer.concat(chunks).toString(),
    };
    this.requests.push(recorded);
    if (this.handler?.(recorded, response)) return;
    const path = recorded.url.split("?")[0];
    if (path === "/on" || path === "/off") {
      this.state = path === "/on" ? "on" : "off";
      response.end("ok");
    } else if (path === "/meter") {
      response.setHeader("content-type", "application/json");
      response.end(typeof this.meter === "string" ? this.meter : JSON.stringify(this.meter));
    } else {
      response.statusCode = 404;
      response.end("no such endpoint");
    }
  }
}

const pdu = new FakePdu();
before(() => pdu.start());
after(() => pdu.stop());

function config(extra: Partial<HttpPowerConfig> = {}): HttpPowerConfig {
  return {
    power_on: { url: `${pdu.base}/on` },
    power_off: { url: `${pdu.base}/off` },
    power_read: { url: `${pdu.base}/meter` },
    ...extra,
  };
}

describe("HttpPower", () => {
  runPowerContract(
    () => {
      pdu.reset();
      return new HttpPower(config());
    },
    { state: () => pdu.state, readings: [{ voltage: 230.5, current: 0.25 }] },
  );

  it("sends the configured method, URL and body (body only for POST/PUT/PATCH)", async () => {
    pdu.reset();
    const driver = new HttpPower({
      power_on: { url: `${pdu.base}/on?relay=1`, method: "post", data: '{"turn":"on"}' },
      power_off: { url: `${pdu.base}/off?relay=1`, method: "GET", data: "ignored" },
    });
    await using served = await serve(driver, { client: PowerClient });
    await served.client.on();
    await served.client.off();
    assert.deepEqual(
      pdu.requests.map((request) => [request.method, request.url, request.body, request.contentType]),
      [
        ["POST", "/on?relay=1", '{"turn":"on"}', undefined],
        ["GET", "/off?relay=1", "", undefined],
      ],
    );
  });

  it("sends Basic credentials", async () => {
    pdu.reset();
    await using served = await serve(new HttpPower(config({ auth: { basic: { user: "admin", password: "s3cret" } } })), { client: PowerClient });
    await served.client.on();
    assert.equal(pdu.requests[0]!.authorization, `Basic ${Buffer.from("admin:s3cret").toString("base64")}`);
  });

  it("answers a Digest challenge", async () => {
    pdu.reset();
    const md5 = (text: string) => createHash("md5").update(text).digest("hex");
    pdu.handler = (request, response) => {
      const header = request.authorization;
      if (!header?.startsWith("Digest ")) {
        response.statusCode = 401;
        response.setHeader("www-authenticate", 'Digest realm="pdu", qop="auth", nonce="abc123", opaque="xyz", algorithm=MD5');
        response.end();
        return true;
      }
      const fields = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
      const ha1 = md5(`admin:pdu:s3cret`);
      const ha2 = md5(`${request.method}:${fields["uri"]}`);
      const expected = md5(`${ha1}:abc123:${fields["nc"]}:${fields["cnonce"]}:auth:${ha2}`);
      const good = fields["response"] === expected && fields["opaque"] === "xyz" && fields["uri"] === "/on";
      response.statusCode = good ? 200 : 403;
      response.end(good ? "ok" : "bad digest");
      return true;
    };
    await using served = await serve(new HttpPower(config({ auth: { digest: { user: "admin", password: "s3cret" } } })), { client: PowerClient });
    await served.client.on();
    assert.equal(pdu.requests.length, 2);
    const wrong = new HttpPower(config({ auth: { digest: { user: "admin", password: "wrong" } } }));
    await using servedWrong = await serve(wrong, { client: PowerClient });
    await assert.rejects(servedWrong.client.on(), { code: Code.INTERNAL, message: /403 Client Error: Forbidden for GET http/ });
  });

  it("reads nested JSON paths and numeric strings", async () => {
    pdu.reset();
    pdu.meter = { emeters: [{ voltage: "229.9", current: 1.5 }], other: true };
    const driver = new HttpPower(config({ power_read: { url: `${pdu.base}/meter`, voltage_path: "emeters.0.voltage", current_path: "emeters.0.current" } }));
    await using served = await serve(driver, { client: PowerClient });
    const readings = [];
    for await (const reading of served.client.read()) readings.push(reading);
    assert.deepEqual(readings, [{ voltage: 229.9, current: 1.5 }]);
  });

  it("fails reads clearly", async () => {
    pdu.reset();
    const readAll = async (client: PowerClient) => {
      for await (const _ of client.read());
    };
    await using noRead = await serve(new HttpPower(config({ power_read: null })), { client: PowerClient });
    await assert.rejects(readAll(noRead.client), { code: Code.INVALID_ARGUMENT, message: "power_read endpoint is not configured" });

    await using served = await serve(new HttpPower(config({ power_read: { url: `${pdu.base}/meter`, voltage_path: "a.b" } })), { client: PowerClient });
    await assert.rejects(readAll(served.client), { code: Code.INVALID_ARGUMENT, message: 'configured path "a.b" not found in read response' });
    pdu.meter = "<html>";
    await assert.rejects(readAll(served.client), { code: Code.INVALID_ARGUMENT, message: /read endpoint did not return JSON/ });

    await using defaults = await serve(new HttpPower(config()), { client: PowerClient });
    pdu.meter = { voltage: 12 };
    const readings = [];
    for await (const reading of defaults.client.read()) readings.push(reading);
    assert.deepEqual(readings, [{ voltage: 12, current: 0 }], "a missing default key reads as 0");
    pdu.meter = { voltage: "high", current: 1 };
    await assert.rejects(readAll(defaults.client), { code: Code.INVALID_ARGUMENT, message: 'value at "voltage" is not numeric (got string)' });
  });

  it("maps HTTP errors to INTERNAL and an unreachable device to UNAVAILABLE", async () => {
    pdu.reset();
    pdu.handler = (_request, response) => {
      response.statusCode = 500;
      response.end("relay stuck");
      return true;
    };
    await using served = await serve(new HttpPower(config()), { client: PowerClient });
    await assert.rejects(served.client.on(), { code: Code.INTERNAL, message: /500 Server Error: Internal Server Error for GET http:\/\/127\.0\.0\.1:\d+\/on/ });

    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, "close");
    await using unreachable = await serve(new HttpPower({ power_on: { url: `http://127.0.0.1:${port}/on` }, power_off: { url: `http://127.0.0.1:${port}/off` } }), { client: PowerClient });
    await assert.rejects(unreachable.client.off(), { code: Code.UNAVAILABLE, message: /GET http:\/\/127\.0\.0\.1:\d+\/off failed: .*ECONNREFUSED/ });
  });

  it("validates its config with the reference keys", () => {
    const ok = HttpPower.configSchema.safeParse(config({ name: "pdu1", auth: { basic: { user: "u", password: "p" } } }));
    assert.equal(ok.success, true);
    const bad: Array<[unknown, RegExp]> = [
      [{ power_off: { url: `${pdu.base}/off` } }, /power_on/],
      [config({ auth: { basic: { user: "a" }, digest: { user: "b" } } }), /mutually exclusive/],
      [{ ...config(), timeout: 3 }, /timeout|Unrecognized/i],
      [config({ power_on: { url: "ftp://x/on" } }), /http/],
      [config({ power_on: { url: `${pdu.base}/on`, verb: "POST" } as never }), /verb|Unrecognized/i],
    ];
    for (const [value, pattern] of bad) {
      const result = HttpPower.configSchema.safeParse(value);
      assert.equal(result.success, false, JSON.stringify(value));
      assert.match(JSON.stringify(result.error?.issues), pattern);
    }
    assert.throws(() => new HttpPower({ power_on: { url: "nope" }, power_off: { url: `${pdu.base}/off` } }), {
      code: Code.INVALID_ARGUMENT,
      message: /invalid HttpPower config: power_on.url: url must be an http/,
    });
  });
});
