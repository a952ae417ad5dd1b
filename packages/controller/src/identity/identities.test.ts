import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenIssuer } from "../auth/tokens.js";
import { AlreadyExistsError, ObjectNotFoundError } from "../store/errors.js";
import { openStore } from "../store/open-store.js";
import { Identities } from "./identities.js";

async function setup() {
  const store = await openStore(":memory:");
  const issuer = await TokenIssuer.open(store);
  return { store, issuer, identities: new Identities(store, issuer), [Symbol.asyncDispose]: () => store.close() };
}

describe("Identities", () => {
  it("creates a client with a uid and a token for its internal subject", async () => {
    await using ctx = await setup();
    const { record, token, expiresAt } = await ctx.identities.createClient("lab", "alice", { labels: { team: "k" }, username: "oidc:alice" });
    assert.match(record.uid, /^[0-9a-f-]{36}$/);
    assert.equal(record.token, token);
    assert.equal(record.tokenExpiresAt?.getTime(), expiresAt.getTime());
    assert.deepEqual(record.labels, { team: "k" });
    assert.equal(record.username, "oidc:alice");
    const verified = await ctx.issuer.verify(token, "client");
    assert.equal(verified?.username, `internal:client:lab:alice:${record.uid}`);
    assert.deepEqual(await ctx.identities.get("client", "lab", "alice"), record);
  });

  it("creates an enabled, never-seen exporter", async () => {
    await using ctx = await setup();
    const { record, token } = await ctx.identities.createExporter("lab", "board-1", { labels: { board: "rpi4" } });
    assert.equal(record.enabled, true);
    assert.equal(record.devices, null);
    assert.equal(record.lastSeen, null);
    assert.equal(record.status, "Unspecified");
    assert.equal((await ctx.issuer.verify(token, "exporter"))?.name, "board-1");
    assert.equal((await ctx.identities.createExporter("lab", "off", { enabled: false })).record.enabled, false);
  });

  it("refuses a second identity with the same name", async () => {
    await using ctx = await setup();
    await ctx.identities.createClient("lab", "alice");
    await assert.rejects(ctx.identities.createClient("lab", "alice"), AlreadyExistsError);
  });

  it("lists identities by kind", async () => {
    await using ctx = await setup();
    await ctx.identities.createClient("lab", "b");
    await ctx.identities.createClient("lab", "a");
    await ctx.identities.createExporter("lab", "e");
    assert.deepEqual((await ctx.identities.list("client", "lab")).map((c) => c.name), ["a", "b"]);
    assert.deepEqual((await ctx.identities.list("exporter", "lab")).map((e) => e.name), ["e"]);
  });

  it("rotates the stored token", async () => {
    await using ctx = await setup();
    const created = await ctx.identities.createExporter("lab", "e");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rotated = await ctx.identities.rotate("exporter", "lab", "e");
    assert.notEqual(rotated.token, created.token);
    assert.equal((await ctx.identities.get("exporter", "lab", "e"))?.token, rotated.token);
    assert.ok(rotated.expiresAt.getTime() > created.expiresAt.getTime());
    assert.equal((await ctx.issuer.verify(rotated.token))?.uid, created.record.uid);
    await assert.rejects(ctx.identities.rotate("client", "lab", "ghost"), ObjectNotFoundError);
  });

  it("voids old tokens on delete: a re-created identity has another subject", async () => {
    await using ctx = await setup();
    const old = await ctx.identities.createClient("lab", "alice");
    assert.equal(await ctx.identities.delete("client", "lab", "alice"), true);
    assert.equal(await ctx.identities.get("client", "lab", "alice"), undefined);
    assert.equal(await ctx.identities.delete("client", "lab", "alice"), false);
    const fresh = await ctx.identities.createClient("lab", "alice");
    const stale = await ctx.issuer.verify(old.token);
    assert.notEqual(stale?.uid, fresh.record.uid);
  });
});
