/**
 * @module
 * Token issuing and verification for service tests, with the spec §2/§6 claim layout (ES256 internal tokens,
 * HS256 router tokens). The controller process itself uses the store-backed issuer from `auth/tokens`.
 */
import { errors, generateKeyPair, jwtVerify, SignJWT } from "jose";
import type { CryptoKey } from "jose";
import type { TokenVerifier } from "../auth/authenticate.js";
import { ROUTER_TOKEN_AUDIENCE, ROUTER_TOKEN_ISSUER } from "../router/router-auth.js";
import type { RouterTokenMinter, TokenMinter } from "../service/context.js";

const ISSUER = "https://localhost:8085";

/** Issuer, verifier and router-token minter sharing one key pair and router key. */
export interface TestTokens {
  readonly verifier: TokenVerifier;
  readonly tokens: TokenMinter;
  readonly routerTokens: RouterTokenMinter;
  readonly routerKey: string;
  /** Signs an internal token with arbitrary claims (expired, wrong audience, …). */
  sign(claims: { sub: string; exp?: number; aud?: string; iss?: string }, key?: CryptoKey): Promise<string>;
}

/** Creates fresh test token material. */
export async function createTestTokens(): Promise<TestTokens> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const routerKey = crypto.randomUUID();
  const sign = (claims: { sub: string; exp?: number; aud?: string; iss?: string }, key: CryptoKey = privateKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setIssuer(claims.iss ?? ISSUER)
      .setSubject(claims.sub)
      .setAudience(claims.aud ?? "jumpstarter")
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 3600)
      .sign(key);
  return {
    routerKey,
    sign,
    verifier: {
      async verify(token) {
        try {
          const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER, audience: "jumpstarter", algorithms: ["ES256"] });
          return { username: `internal:${payload.sub}` };
        } catch (error) {
          if (error instanceof errors.JWTExpired) throw new Error("oidc: token is expired");
          if (error instanceof errors.JWSSignatureVerificationFailed) throw new Error("oidc: failed to verify signature");
          return undefined;
        }
      },
    },
    tokens: {
      async issue({ kind, namespace, name, uid }) {
        const expiresAt = new Date(Date.now() + 365 * 24 * 3600 * 1000);
        return { token: await sign({ sub: `${kind}:${namespace}:${name}:${uid}`, exp: Math.floor(expiresAt.getTime() / 1000) }), expiresAt };
      },
    },
    routerTokens: {
      async mint() {
        const streamId = crypto.randomUUID();
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setIssuer(ROUTER_TOKEN_ISSUER)
          .setAudience(ROUTER_TOKEN_AUDIENCE)
          .setSubject(streamId)
          .setIssuedAt()
          .setNotBefore("0s")
          .setExpirationTime("30m")
          .setJti(crypto.randomUUID())
          .sign(new TextEncoder().encode(routerKey));
        return { token, streamId };
      },
    },
  };
}
