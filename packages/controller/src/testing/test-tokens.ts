/**
 * @module
 * The controller's real token machinery over a test store, plus helpers to make bad tokens (expired, forged).
 */
import { generateKeyPairSync } from "node:crypto";
import { TokenIssuer } from "../auth/tokens.js";
import type { IdentityKind } from "../auth/tokens.js";
import { RouterTokens } from "../auth/tokens-router.js";
import type { Store } from "../store/store.js";

/** Token material of a test controller. */
export interface TestTokens {
  readonly issuer: TokenIssuer;
  readonly routerTokens: RouterTokens;
  /** A token signed with the right key whose `exp` lies `agoMs` in the past. */
  expired(subject: { kind: IdentityKind; namespace: string; name: string; uid: string }, agoMs?: number): Promise<string>;
  /** A well-formed token signed with a different key. */
  forged(subject: { kind: IdentityKind; namespace: string; name: string; uid: string }): Promise<string>;
}

/** Opens the issuer and router tokens on `store` (keys are created there on first use). */
export async function createTestTokens(store: Store): Promise<TestTokens> {
  const issuer = await TokenIssuer.open(store);
  const routerTokens = await RouterTokens.open(store);
  const stranger = new TokenIssuer(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
  return {
    issuer,
    routerTokens,
    expired: async (subject, agoMs = 10_000) => (await issuer.issue(subject, -agoMs)).token,
    forged: async (subject) => (await stranger.issue(subject)).token,
  };
}
