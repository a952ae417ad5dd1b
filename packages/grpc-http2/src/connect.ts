/**
 * @module
 * How a client reaches its target: a unix socket, TCP, or TCP through an HTTP proxy (`CONNECT`), then TLS with
 * ALPN h2 when asked. Proxies are found as gRPC finds them (grpc-js and C-core alike): `grpc_proxy`,
 * `https_proxy` or `http_proxy`, except for hosts in `no_grpc_proxy` or `no_proxy`.
 */
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";

/** Where a target address leads. */
export type Endpoint = { readonly kind: "unix"; readonly path: string } | { readonly kind: "tcp"; readonly host: string; readonly port: number };

/** TLS settings of a client connection (PEM). */
export interface ClientTlsOptions {
  /** CA bundle to trust; when omitted, `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` if set, else the system roots. */
  readonly ca?: string | Buffer;
  /** Accept any server certificate (the connection is still encrypted). */
  readonly insecure?: boolean;
  /** Client certificate and key, for mTLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Name to verify the certificate against (and send as SNI) instead of the target's host. */
  readonly servername?: string;
}

/** An HTTP proxy to tunnel through. */
export interface HttpProxy {
  readonly host: string;
  readonly port: number;
  /** `user:password` for Basic authentication, when the proxy URL carries it. */
  readonly credentials?: string;
}

/** Parses `unix:/path`, `unix:///path`, `/path`, `host:port`, `[v6]:port` or `dns:[//authority/]host:port`. */
export function parseAddress(address: string): Endpoint {
  if (address.startsWith("/")) return { kind: "unix", path: address };
  if (address.startsWith("unix://")) return { kind: "unix", path: address.slice("unix://".length) };
  if (address.startsWith("unix:")) return { kind: "unix", path: address.slice("unix:".length) };
  const rest = address.startsWith("dns:") ? address.slice("dns:".length).replace(/^\/\/[^/]*\//, "") : address;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw new Error(`unsupported target "${address}": use unix:/path or host:port`);
  let port = 443;
  let host = rest;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon >= 0 && rest.indexOf(":") === colon) {
      host = rest.slice(0, colon);
      port = Number(rest.slice(colon + 1));
    }
  }
  if (host === "" || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`bad target "${address}": expected host:port or unix:/path`);
  return { kind: "tcp", host, port };
}

/** Parses an `http://[user:password@]host[:port]` proxy URL (a bare `host:port` is taken as http). */
export function parseProxy(url: string): HttpProxy {
  let parsed: URL;
  try {
    parsed = new URL(url.includes("://") ? url : `http://${url}`);
  } catch {
    throw new Error(`bad proxy "${url}": expected http://host:port`);
  }
  if (parsed.protocol !== "http:") throw new Error(`unsupported proxy "${url}": only http:// proxies are supported`);
  const credentials = parsed.username ? `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` : undefined;
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port ? Number(parsed.port) : 80,
    ...(credentials !== undefined ? { credentials } : {}),
  };
}

/** Whether `host` matches a `no_proxy` list: `*`, exact names or addresses, and domain suffixes. */
function excluded(host: string, list: string): boolean {
  const name = host.toLowerCase();
  for (const raw of list.split(",")) {
    const entry = raw.trim().toLowerCase().replace(/:\d+$/, "");
    if (entry === "") continue;
    if (entry === "*") return true;
    const domain = entry.startsWith(".") ? entry.slice(1) : entry;
    if (name === domain || name.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy the environment names for a TCP target on `host`, if any. */
export function proxyFromEnv(host: string, env: NodeJS.ProcessEnv = process.env): HttpProxy | undefined {
  const url = env["grpc_proxy"] || env["https_proxy"] || env["HTTPS_PROXY"] || env["http_proxy"] || env["HTTP_PROXY"];
  if (!url) return undefined;
  const noProxy = env["no_grpc_proxy"] || env["no_proxy"] || env["NO_PROXY"];
  if (noProxy && excluded(host, noProxy)) return undefined;
  return parseProxy(url);
}

/**
 * The CA bundle for a TLS target without its own: gRPC's `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` when set (C-core and
 * grpc-js honour it too), else Node's system roots.
 */
function defaultRoots(): { ca?: Buffer } {
  const path = process.env["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"];
  return path ? { ca: readFileSync(path) } : {};
}

/** Resolves when `socket` emits `event`, rejects on its first error. */
function connected(socket: net.Socket, event: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      socket.off(event, done);
      reject(error);
    };
    const done = () => {
      socket.off("error", fail);
      resolve();
    };
    socket.once("error", fail);
    socket.once(event, done);
  });
}

/** Opens a tunnel to `host:port` through `proxy` (HTTP CONNECT); resolves with the socket past the proxy's answer. */
async function tunnel(proxy: HttpProxy, host: string, port: number, sockets: net.Socket[]): Promise<net.Socket> {
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  sockets.push(socket);
  await connected(socket, "connect");
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const auth = proxy.credentials ? `Proxy-Authorization: Basic ${Buffer.from(proxy.credentials).toString("base64")}\r\n` : "";
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  const head = await new Promise<Buffer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf("\r\n\r\n");
      if (end >= 0) {
        cleanup();
        // Bytes past the answer already belong to the tunnel.
        if (end + 4 < received.length) socket.unshift(received.subarray(end + 4));
        resolve(received.subarray(0, end));
      } else if (received.length > 16 * 1024) {
        cleanup();
        reject(new Error(`the proxy ${proxy.host}:${proxy.port} sent an oversized answer to CONNECT`));
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`the proxy ${proxy.host}:${proxy.port} closed the connection during CONNECT`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onError);
      // Hold what follows until the connection's reader is attached (it resumes the socket).
      socket.pause();
    };
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("error", onError);
  });
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString("latin1"));
  if (!status || status[1] !== "200") {
    const line = head.toString("latin1").split("\r\n")[0];
    throw new Error(`the proxy ${proxy.host}:${proxy.port} refused CONNECT ${authority}: ${line}`);
  }
  return socket;
}

/** `promise`, or a rejection with `message` once `ms` have passed. */
export async function beforeTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of {@link connectSocket}. */
export interface ConnectSocketOptions {
  readonly tls?: ClientTlsOptions | undefined;
  /** The proxy for a TCP target; `undefined` connects directly. */
  readonly proxy?: HttpProxy | undefined;
  readonly timeoutMs: number;
}

/** Connects to `endpoint` (through the proxy, then TLS with ALPN h2, when given); rejects after `timeoutMs`. */
export async function connectSocket(endpoint: Endpoint, options: ConnectSocketOptions): Promise<net.Socket> {
  const sockets: net.Socket[] = [];
  const open = async (): Promise<net.Socket> => {
    if (endpoint.kind === "unix") {
      const socket = net.connect({ path: endpoint.path });
      sockets.push(socket);
      await connected(socket, "connect");
      return socket;
    }
    let socket: net.Socket;
    if (options.proxy) socket = await tunnel(options.proxy, endpoint.host, endpoint.port, sockets);
    else {
      socket = net.connect({ host: endpoint.host, port: endpoint.port });
      sockets.push(socket);
      await connected(socket, "connect");
    }
    const secure = options.tls;
    if (!secure) return socket;
    const wrapped = tls.connect({
      socket,
      // The name the certificate is checked against (the socket is already connected).
      host: endpoint.host,
      ALPNProtocols: ["h2"],
      ...(secure.servername !== undefined ? { servername: secure.servername } : net.isIP(endpoint.host) ? {} : { servername: endpoint.host }),
      ...(secure.ca !== undefined ? { ca: secure.ca } : defaultRoots()),
      ...(secure.cert !== undefined ? { cert: secure.cert } : {}),
      ...(secure.key !== undefined ? { key: secure.key } : {}),
      ...(secure.insecure ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {}),
    });
    sockets.push(wrapped);
    await connected(wrapped, "secureConnect");
    if (wrapped.alpnProtocol !== "h2") throw new Error("the server did not agree to HTTP/2 (ALPN h2)");
    return wrapped;
  };
  try {
    return await beforeTimeout(open(), options.timeoutMs, `no connection after ${options.timeoutMs} ms`);
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    throw error;
  }
}
