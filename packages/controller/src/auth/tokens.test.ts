import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import { describe, it } from "node:test";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { RouterTokens } from "./tokens-router.js";
import { INTERNAL_ISSUER, SIGNING_KEY_NAME, TokenError, TokenIssuer } from "./tokens.js";

const subject = { kind: "client", namespace: "lab", name: "alice", uid: "0b3c7a52-2f7e-4c1e-9d7b-5d1f6a1e2c3d" } as const;

async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(":memory:");
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function storedKey(store: Store) {
  return createPrivateKey({ key: JSON.parse((await store.getKey(SIGNING_KEY_NAME)) as string) as JsonWebKey, format: "jwk" });
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenError, `expected TokenError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("TokenIssuer", () => {
  it("issues ES256 JWTs with exactly the reference's header and claims", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const { token, issuedAt, expiresAt } = await issuer.issue(subject);
      assert.deepEqual(decodeProtectedHeader(token), { alg: "ES256", typ: "JWT" });
      const claims = decodeJwt(token);
      assert.deepEqual(Object.keys(claims).sort(), ["aud", "exp", "iat", "iss", "sub"]);
      assert.equal(claims.iss, "https://localhost:8085");
      assert.equal(claims.sub, `client:lab:alice:${subject.uid}`);
      assert.deepEqual(claims.aud, ["jumpstarter"]);
      assert.equal((claims.exp as number) - (claims.iat as number), 365 * 24 * 3600);
      assert.equal(issuedAt.getTime(), (claims.iat as number) * 1000);
      assert.equal(expiresAt.getTime(), (claims.exp as number) * 1000);
    }));

  it("verifies its tokens into the internal username", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const { token, expiresAt } = await issuer.issue({ ...subject, kind: "exporter" });
      const verified = await issuer.verify(token, "exporter");
      assert.deepEqual(verified, {
        kind: "exporter",
        namespace: "lab",
        name: "alice",
        uid: subject.uid,
        subject: `exporter:lab:alice:${subject.uid}`,
        username: `internal:exporter:lab:alice:${subject.uid}`,
        expiresAt,
      });
    }));

  it("honours a configured lifetime and prefix", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store, { lifetimeMs: 3_600_000, prefix: "lab:" });
      const { token } = await issuer.issue(subject);
      const claims = decodeJwt(token);
      assert.equal((claims.exp as number) - (claims.iat as number), 3600);
      assert.equal((await issuer.verify(token))?.username, `lab:client:lab:alice:${subject.uid}`);
    }));

  it('says "token is expired" for an expired token', () =>
    withStore(async (store) => {
      const past = await TokenIssuer.open(store, { now: () => new Date("2020-01-01T00:00:00Z"), lifetimeMs: 1000 });
      const { token } = await past.issue(subject);
      const issuer = await TokenIssuer.open(store);
      await rejectsWith(issuer.verify(token), /^oidc: verify token: oidc: token is expired \(Token Expiry: 2020-01-01 00:00:01 \+0000 UTC\)$/);
    }));

  it("refuses a token signed by another key (forged signature)", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const forger = new TokenIssuer(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
      const { token } = await forger.issue(subject);
      await rejectsWith(issuer.verify(token), /failed to verify signature/);
    }));

  it("refuses a token whose payload was altered", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const [header, , signature] = (await issuer.issue(subject)).token.split(".");
      const claims = { ...decodeJwt((await issuer.issue(subject)).token), sub: `client:lab:mallory:${subject.uid}` };
      const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
      await rejectsWith(issuer.verify(forged), /failed to verify signature/);
    }));

  it("refuses a token for another audience", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const token = await new SignJWT({ aud: ["kubernetes"] })
        .setProtectedHeader({ alg: "ES256", typ: "JWT" })
        .setIssuer(INTERNAL_ISSUER)
        .setSubject(`client:lab:alice:${subject.uid}`)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(await storedKey(store));
      await rejectsWith(issuer.verify(token), /expected audience "jumpstarter" got \["kubernetes"\]/);
    }));

  it("refuses an HS256 token that claims the internal issuer", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const token = await new SignJWT({ aud: ["jumpstarter"] })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(INTERNAL_ISSUER)
        .setSubject(`client:lab:alice:${subject.uid}`)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode("guess"));
      await rejectsWith(issuer.verify(token), /unsupported algorithm, expected \["ES256"\] got "HS256"/);
    }));

  it("refuses a token of the wrong kind and a malformed subject", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      const { token } = await issuer.issue({ ...subject, kind: "exporter" });
      await rejectsWith(issuer.verify(token, "client"), /kind mismatch: expected client token, got exporter token/);
      const odd = await new SignJWT({ aud: ["jumpstarter"] })
        .setProtectedHeader({ alg: "ES256", typ: "JWT" })
        .setIssuer(INTERNAL_ISSUER)
        .setSubject("router:lab:alice:1")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(await storedKey(store));
      await rejectsWith(issuer.verify(odd), /invalid internal subject/);
    }));

  it("leaves tokens of other issuers and non-JWTs to other authenticators", () =>
    withStore(async (store) => {
      const issuer = await TokenIssuer.open(store);
      assert.equal(await issuer.verify("not-a-jwt"), undefined);
      assert.equal(await issuer.verify(""), undefined);
      const router = await new RouterTokens("k").mint();
      assert.equal(await issuer.verify(router.token), undefined);
    }));

  it("keeps one signing key in the store for every replica and across restarts", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "jmp-tokens-"));
    try {
      const location = join(dir, "state.db");
      const first = await openStore(location);
      const [a, b] = await Promise.all([TokenIssuer.open(first), TokenIssuer.open(first)]);
      const { token } = await a.issue(subject);
      assert.ok(await b.verify(token));
      await first.close();
      const again = await openStore(location);
      assert.ok(await (await TokenIssuer.open(again)).verify(token));
      await again.close();
      await withStore(async (other) => rejectsWith((await TokenIssuer.open(other)).verify(token), /failed to verify signature/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("derives the same key from the same seed", () =>
    withStore(async (store) => {
      const one = await TokenIssuer.open(store, { seed: "lab-secret" });
      const two = await TokenIssuer.open(store, { seed: "lab-secret" });
      assert.deepEqual(one.jwks(), two.jwks());
      assert.equal(one.jwks().keys[0]?.crv, "P-256");
      assert.ok(await two.verify((await one.issue(subject)).token));
      const other = await TokenIssuer.open(store, { seed: "other" });
      assert.notDeepEqual(other.jwks(), one.jwks());
    }));
});
