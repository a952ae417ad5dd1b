import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { authenticateRouterCall } from "../router/router-auth.js";
import { openStore } from "../store/open-store.js";
import { RouterTokens } from "./tokens-router.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("RouterTokens", () => {
  it("mints HS256 tokens with the reference's claims", async () => {
    const tokens = new RouterTokens("secret");
    const { token, streamId, expiresAt } = await tokens.mint();
    assert.deepEqual(decodeProtectedHeader(token), { alg: "HS256", typ: "JWT" });
    const claims = decodeJwt(token);
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "exp", "iat", "iss", "jti", "nbf", "sub"]);
    assert.equal(claims.iss, "https://jumpstarter.dev/stream");
    assert.deepEqual(claims.aud, ["https://jumpstarter.dev/router"]);
    assert.equal(claims.sub, streamId);
    assert.match(streamId, UUID);
    assert.match(claims.jti as string, UUID);
    assert.notEqual(claims.jti, streamId);
    assert.equal(claims.nbf, claims.iat);
    assert.equal((claims.exp as number) - (claims.iat as number), 1800);
    assert.equal(expiresAt.getTime(), (claims.exp as number) * 1000);
  });

  it("gives every token a fresh stream id unless one is given", async () => {
    const tokens = new RouterTokens("secret");
    const [a, b] = await Promise.all([tokens.mint(), tokens.mint()]);
    assert.notEqual(a.streamId, b.streamId);
    assert.equal((await tokens.mint("fixed")).streamId, "fixed");
  });

  it("verifies its own tokens and those the router accepts", async () => {
    const tokens = new RouterTokens("secret");
    const { token, streamId } = await tokens.mint();
    assert.equal(await tokens.verify(token), streamId);
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    assert.equal(await authenticateRouterCall(metadata, tokens.key), streamId);
  });

  it("refuses tokens signed with another key, and expired tokens", async () => {
    const { token } = await new RouterTokens("other").mint();
    await assert.rejects(new RouterTokens("secret").verify(token), /signature verification failed/);
    const old = new RouterTokens("secret", () => new Date(Date.now() - 31 * 60_000));
    await assert.rejects(new RouterTokens("secret").verify((await old.mint()).token), /"exp" claim timestamp check failed/);
  });

  it("shares one router key through the store unless ROUTER_KEY is given", async () => {
    const store = await openStore(":memory:");
    try {
      const a = await RouterTokens.open(store);
      const b = await RouterTokens.open(store);
      assert.deepEqual(a.key, b.key);
      assert.ok(a.key.length >= 32);
      const explicit = await RouterTokens.open(store, "from-env");
      assert.deepEqual(explicit.key, new TextEncoder().encode("from-env"));
      await assert.rejects(explicit.verify((await a.mint()).token));
    } finally {
      await store.close();
    }
  });
});
