/**
 * @module
 * Internal tokens (spec §2): ES256 JWTs issued by the controller for clients and exporters, signed with a P-256
 * key that is created once and kept in the store, so admin commands and controller replicas share it.
 */
import { createECDH, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";
import type { Store } from "../store/store.js";

/** `iss` of internal tokens. */
export const INTERNAL_ISSUER = "https://localhost:8085";
/** `aud` of internal tokens. */
export const INTERNAL_AUDIENCE = "jumpstarter";
/** Default username prefix of internal tokens. */
export const INTERNAL_PREFIX = "internal:";
/** Default token lifetime: 365 days. */
export const DEFAULT_TOKEN_LIFETIME_MS = 365 * 24 * 3_600_000;
/** Store key holding the signing key (a private JWK). */
export const SIGNING_KEY_NAME = "internal-token-signing-key";

/** Whose token it is. */
export type IdentityKind = "client" | "exporter";

/** The object a token speaks for; `sub` = `<kind>:<namespace>:<name>:<uid>`. */
export interface TokenSubject {
  readonly kind: IdentityKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** A freshly issued token. */
export interface IssuedToken {
  readonly token: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** A verified internal token. */
export interface VerifiedToken extends TokenSubject {
  /** `<prefix><sub>`, what the authorizer compares. */
  readonly username: string;
  readonly subject: string;
  readonly expiresAt: Date;
}

/** A token that claims to be internal but does not verify. The message is what the caller sees. */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

/** Go's `time.Time` default text for UTC, as the reference's expiry message prints it. */
function goTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace(/\.000Z$/, "").replace(/Z$/, "")} +0000 UTC`;
}

/** The subject string of an internal token. */
export function tokenSubject(subject: TokenSubject): string {
  return `${subject.kind}:${subject.namespace}:${subject.name}:${subject.uid}`;
}

/** Splits an internal subject; `undefined` when it is not `<client|exporter>:<ns>:<name>:<uid>`. */
export function parseTokenSubject(sub: string): TokenSubject | undefined {
  const parts = sub.split(":");
  if (parts.length !== 4 || parts.some((part) => part.length === 0)) return undefined;
  const [kind, namespace, name, uid] = parts as [string, string, string, string];
  if (kind !== "client" && kind !== "exporter") return undefined;
  return { kind, namespace, name, uid };
}

/** P-256 private key derived from a seed (the `CONTROLLER_KEY` setting): same seed, same key. */
export function signingKeyFromSeed(seed: string): KeyObject {
  for (let counter = 0; ; counter++) {
    const d = createHash("sha256").update(`jumpstarter-controller-key:${counter}:${seed}`).digest();
    try {
      const ecdh = createECDH("prime256v1");
      ecdh.setPrivateKey(d);
      const point = ecdh.getPublicKey();
      const jwk: JsonWebKey = {
        kty: "EC",
        crv: "P-256",
        d: d.toString("base64url"),
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33, 65).toString("base64url"),
      };
      return createPrivateKey({ key: jwk, format: "jwk" });
    } catch {
      // d was zero or not below the group order: try the next counter.
    }
  }
}

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  /** Token lifetime (`authentication.internal.tokenLifetime`), default 365 days. */
  readonly lifetimeMs?: number;
  /** Username prefix (`authentication.internal.prefix`), default `internal:`. */
  readonly prefix?: string;
  /** Clock for issuing (tests). */
  readonly now?: () => Date;
}

/** Issues and verifies internal tokens. */
export class TokenIssuer {
  private readonly publicKey: KeyObject;
  readonly lifetimeMs: number;
  readonly prefix: string;
  private readonly now: () => Date;

  constructor(
    private readonly privateKey: KeyObject,
    options: TokenIssuerOptions = {},
  ) {
    if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new TypeError("the internal token signing key must be a P-256 EC private key");
    }
    this.publicKey = createPublicKey(privateKey);
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    this.prefix = options.prefix ?? INTERNAL_PREFIX;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Loads the signing key from the store, creating it on first use (first writer wins across replicas).
   * With `seed`, the key is derived from it instead and the store is not consulted.
   */
  static async open(store: Store, options: TokenIssuerOptions & { readonly seed?: string } = {}): Promise<TokenIssuer> {
    if (options.seed !== undefined) return new TokenIssuer(signingKeyFromSeed(options.seed), options);
    const candidate = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
    const stored = await store.ensureKey(SIGNING_KEY_NAME, JSON.stringify(candidate));
    return new TokenIssuer(createPrivateKey({ key: JSON.parse(stored) as JsonWebKey, format: "jwk" }), options);
  }

  /** The public key as a JWK set (what `/jwks` serves). */
  jwks(): { keys: JsonWebKey[] } {
    return { keys: [{ ...this.publicKey.export({ format: "jwk" }), alg: "ES256", use: "sig" }] };
  }

  /** Signs a token for `subject`: header `{alg: ES256, typ: JWT}`, claims iss, sub, aud, iat, exp. */
  async issue(subject: TokenSubject, lifetimeMs = this.lifetimeMs): Promise<IssuedToken> {
    const now = this.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + Math.floor(lifetimeMs / 1000);
    const token = await new SignJWT({ aud: [INTERNAL_AUDIENCE] })
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setIssuer(INTERNAL_ISSUER)
      .setSubject(tokenSubject(subject))
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { token, issuedAt: new Date(iat * 1000), expiresAt: new Date(exp * 1000) };
  }

  /**
   * Verifies a token. Resolves `undefined` when the token is not one of ours (not a JWT, or another issuer),
   * so other authenticators may try it; rejects with {@link TokenError} when it claims our issuer but fails
   * (signature, algorithm, audience, expiry — the message then contains "token is expired" —, subject, or a
   * `kind` other than `expectedKind`).
   */
  async verify(token: string, expectedKind?: IdentityKind): Promise<VerifiedToken | undefined> {
    let issuer: unknown;
    try {
      decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (issuer !== INTERNAL_ISSUER) return undefined;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, {
        issuer: INTERNAL_ISSUER,
        audience: INTERNAL_AUDIENCE,
        algorithms: ["ES256"],
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw new TokenError(verifyFailure(error, token), { cause: error });
    }
    const subject = parseTokenSubject(payload.sub ?? "");
    if (!subject) throw new TokenError(`oidc: verify token: invalid internal subject ${JSON.stringify(payload.sub)}`);
    if (expectedKind && subject.kind !== expectedKind) {
      throw new TokenError(`token kind mismatch: expected ${expectedKind} token, got ${subject.kind} token`);
    }
    return { ...subject, subject: payload.sub as string, username: `${this.prefix}${payload.sub}`, expiresAt: new Date((payload.exp as number) * 1000) };
  }
}

function verifyFailure(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) {
    const exp = decodeJwt(token).exp;
    return `oidc: verify token: oidc: token is expired (Token Expiry: ${goTime(new Date((exp ?? 0) * 1000))})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `oidc: verify token: oidc: id token signed with unsupported algorithm, expected ["ES256"] got ${JSON.stringify(decodeProtectedHeader(token).alg)}`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "oidc: verify token: failed to verify signature: failed to verify id token signature";
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "aud") {
    return `oidc: verify token: oidc: expected audience ${JSON.stringify(INTERNAL_AUDIENCE)} got ${JSON.stringify(decodeJwt(token).aud ?? [])}`;
  }
  return `oidc: verify token: ${error instanceof Error ? error.message : String(error)}`;
}
