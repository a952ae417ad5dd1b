/**
 * @module
 * Verification of the router tokens the controller mints on Dial (HS256/384/512 with the shared router key).
 */
import { Code, JumpstarterError } from "@jumpstarter/core";
import type { Metadata } from "@grpc/grpc-js";
import { jwtVerify } from "jose";
import { bearerToken } from "../auth/bearer.js";

/** `iss` of router tokens. */
export const ROUTER_TOKEN_ISSUER = "https://jumpstarter.dev/stream";
/** `aud` of router tokens. */
export const ROUTER_TOKEN_AUDIENCE = "https://jumpstarter.dev/router";

/** The router key as the bytes HMAC uses. */
export function routerKeyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === "string" ? new TextEncoder().encode(key) : key;
}

/**
 * Checks the call's bearer token and returns its stream id (`sub`). Failures are UNAUTHENTICATED:
 * "missing or invalid authorization: …" for header problems, "invalid jwt token" for a token that does not verify.
 */
export async function authenticateRouterCall(metadata: Metadata, key: Uint8Array): Promise<string> {
  let token: string;
  try {
    token = bearerToken(metadata);
  } catch (error) {
    throw new JumpstarterError(`missing or invalid authorization: ${(error as Error).message}`, Code.UNAUTHENTICATED, { cause: error });
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: ROUTER_TOKEN_ISSUER,
      audience: ROUTER_TOKEN_AUDIENCE,
      algorithms: ["HS256", "HS384", "HS512"],
      requiredClaims: ["exp", "iat", "sub"],
    });
    if (typeof payload.sub !== "string" || payload.sub === "") throw new Error("empty subject");
    return payload.sub;
  } catch (error) {
    throw new JumpstarterError("invalid jwt token", Code.UNAUTHENTICATED, { cause: error });
  }
}
