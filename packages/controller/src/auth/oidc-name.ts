/**
 * @module
 * How a caller's object name follows from an external (OIDC) username, and which usernames name
 * pre-existing objects (spec §2 step 3).
 */

/** Usernames whose object already exists and must be named in `jumpstarter-name`: internal tokens and service accounts. */
export function isPreExistingIdentity(username: string, internalPrefix: string): boolean {
  return username.startsWith(internalPrefix) || /^(?:[^:]*:)?system:serviceaccount:[^:]+:[^:]+$/.test(username);
}

/**
 * The object name of an OIDC user: drop everything up to the first `:`, lowercase, replace every character outside
 * `[-a-z0-9]` by `-`, collapse runs of `-`, trim `-` at both ends, and keep at most 63 characters.
 */
export function normalizeOidcUsername(username: string): string {
  const colon = username.indexOf(":");
  const local = colon === -1 ? username : username.slice(colon + 1);
  return local
    .toLowerCase()
    .replace(/[^-a-z0-9]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** Quotes like Go's `%q` for the printable ASCII texts object names consist of. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}
