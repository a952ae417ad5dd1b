/**
 * @module
 * Router tokens (spec §6): HS256 JWTs minted by Dial for one tunnelled stream, signed with the router key that
 * the controller and every router share (`ROUTER_KEY`, or a random key kept in the store).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { ROUTER_TOKEN_AUDIENCE, ROUTER_TOKEN_ISSUER } from "../router/router-auth.js";
import type { Store } from "../store/store.js";

/** Router token lifetime: 30 minutes. */
export const ROUTER_TOKEN_LIFETIME_MS = 30 * 60_000;
/** Store key holding the router key when `ROUTER_KEY` is not given. */
export const ROUTER_KEY_NAME = "router-key";

/** A minted router token and the stream it opens. */
export interface RouterToken {
  readonly token: string;
  /** The stream id (`sub`) both ends present to the router. */
  readonly streamId: string;
  readonly expiresAt: Date;
}

/** Mints and verifies router tokens with one shared HMAC key. */
export class RouterTokens {
  /** The HMAC key bytes (UTF-8 of the configured string). */
  readonly key: Uint8Array;

  constructor(
    key: string | Uint8Array,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = typeof key === "string" ? new TextEncoder().encode(key) : key;
    if (this.key.length === 0) throw new TypeError("the router key must not be empty");
  }

  /** Uses `key` when given (the `ROUTER_KEY` setting), else the store's router key, created on first use. */
  static async open(store: Store, key?: string): Promise<RouterTokens> {
    if (key !== undefined && key !== "") return new RouterTokens(key);
    return new RouterTokens(await store.ensureKey(ROUTER_KEY_NAME, randomBytes(32).toString("base64url")));
  }

  /** Mints a token: iss, sub = stream id (a fresh UUID unless given), aud, exp = now + 30 min, nbf, iat, jti. */
  async mint(streamId: string = randomUUID()): Promise<RouterToken> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const exp = iat + ROUTER_TOKEN_LIFETIME_MS / 1000;
    const token = await new SignJWT({ aud: [ROUTER_TOKEN_AUDIENCE] })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(ROUTER_TOKEN_ISSUER)
      .setSubject(streamId)
      .setExpirationTime(exp)
      .setNotBefore(iat)
      .setIssuedAt(iat)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, streamId, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies a router token (HS256/384/512, issuer, audience, iat, exp) and returns its stream id. */
  async verify(token: string): Promise<string> {
    const { payload } = await jwtVerify(token, this.key, {
      issuer: ROUTER_TOKEN_ISSUER,
      audience: ROUTER_TOKEN_AUDIENCE,
      algorithms: ["HS256", "HS384", "HS512"],
      requiredClaims: ["exp", "iat", "sub"],
    });
    if (!payload.sub) throw new Error("router token without stream id");
    return payload.sub;
  }
}
