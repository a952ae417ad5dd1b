/**
 * @module
 * Direct-mode passphrase check: every call must carry `x-jumpstarter-passphrase`, compared in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import { PASSPHRASE_METADATA } from "../j/host.js";

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** An `authorize` hook for `listenSession` that accepts only `passphrase`. */
export function passphraseAuthorizer(passphrase: string): (metadata: Metadata) => void {
  const expected = digest(passphrase);
  return (metadata) => {
    const given = metadata.get(PASSPHRASE_METADATA)[0];
    const ok = given !== undefined && timingSafeEqual(digest(String(given)), expected);
    if (!ok) throw new JumpstarterError("invalid or missing passphrase", Code.UNAUTHENTICATED);
  };
}
