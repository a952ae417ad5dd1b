/**
 * @module
 * One HTTP request as the HttpPower driver makes it: optional body, Basic or Digest credentials, a bounded
 * wait, and failures mapped to the error model (HTTP error status → INTERNAL, unreachable → UNAVAILABLE,
 * timeout → DEADLINE_EXCEEDED).
 */
import { createHash, randomBytes } from "node:crypto";
import { ConnectionError, DeadlineExceededError, InternalError, JumpstarterError } from "@jumpstarter/core";

/** User name and password. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** What to send. */
export interface HttpRequestSpec {
  readonly url: string;
  readonly method: string;
  readonly body?: string | undefined;
  readonly basic?: Credentials | undefined;
  readonly digest?: Credentials | undefined;
  readonly signal: AbortSignal;
}

/** Sends the request (answering one Digest challenge) and returns the response text of a 2xx answer. */
export async function httpRequest(spec: HttpRequestSpec): Promise<string> {
  const headers: Record<string, string> = {};
  if (spec.basic) headers["authorization"] = `Basic ${Buffer.from(`${spec.basic.user}:${spec.basic.password}`).toString("base64")}`;
  let response = await send(spec, headers);
  const challenge = response.headers.get("www-authenticate");
  if (response.status === 401 && spec.digest && challenge && /^\s*digest\s/i.test(challenge)) {
    await response.body?.cancel();
    headers["authorization"] = digestAuthorization(spec, challenge);
    response = await send(spec, headers);
  }
  const text = await response.text();
  if (!response.ok) {
    const kind = response.status >= 500 ? "Server" : "Client";
    throw new InternalError(`${response.status} ${kind} Error: ${response.statusText} for ${spec.method} ${spec.url}`);
  }
  return text;
}

async function send(spec: HttpRequestSpec, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(spec.url, {
      method: spec.method,
      headers,
      redirect: "follow",
      signal: spec.signal,
      ...(spec.body !== undefined ? { body: Buffer.from(spec.body) } : {}),
    });
  } catch (error) {
    if (error instanceof JumpstarterError) throw error;
    const name = (error as Error | undefined)?.name;
    if (name === "TimeoutError") throw new DeadlineExceededError(`${spec.method} ${spec.url} timed out`, { cause: error });
    if (name === "AbortError") throw JumpstarterError.from(spec.signal.reason ?? error);
    const cause = (error as { cause?: { message?: string } }).cause;
    throw new ConnectionError(`${spec.method} ${spec.url} failed: ${cause?.message ?? (error as Error).message}`, { cause: error });
  }
}

const digestHashes: Readonly<Record<string, string>> = { MD5: "md5", "SHA-256": "sha256", "SHA-512-256": "sha512-256", "SHA-512": "sha512" };

/** The `Authorization` header answering an RFC 7616 Digest challenge. */
export function digestAuthorization(spec: Pick<HttpRequestSpec, "url" | "method" | "digest">, challenge: string): string {
  const params = parseChallenge(challenge.replace(/^\s*digest\s+/i, ""));
  const credentials = spec.digest ?? { user: "", password: "" };
  const algorithm = (params["algorithm"] ?? "MD5").toUpperCase();
  const session = algorithm.endsWith("-SESS");
  const hashName = digestHashes[session ? algorithm.slice(0, -5) : algorithm];
  if (!hashName) throw new InternalError(`unsupported digest algorithm ${algorithm} from ${spec.url}`);
  const hash = (text: string) => createHash(hashName).update(text).digest("hex");
  const realm = params["realm"] ?? "";
  const nonce = params["nonce"] ?? "";
  const target = new URL(spec.url);
  const uri = `${target.pathname}${target.search}`;
  const cnonce = randomBytes(8).toString("hex");
  const nc = "00000001";
  let ha1 = hash(`${credentials.user}:${realm}:${credentials.password}`);
  if (session) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(`${spec.method}:${uri}`);
  const qops = (params["qop"] ?? "").split(",").map((value) => value.trim().toLowerCase());
  const qop = qops.includes("auth") ? "auth" : undefined;
  const response = qop ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : hash(`${ha1}:${nonce}:${ha2}`);
  const fields = [
    `username="${credentials.user}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${uri}"`,
    `response="${response}"`,
    `algorithm=${params["algorithm"] ?? "MD5"}`,
    ...(params["opaque"] !== undefined ? [`opaque="${params["opaque"]}"`] : []),
    ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
  ];
  return `Digest ${fields.join(", ")}`;
}

/** Parses `key=value, key="quoted, value"` pairs. */
function parseChallenge(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const pattern = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi;
  for (const match of text.matchAll(pattern)) {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : (match[3] ?? "");
  }
  return params;
}
