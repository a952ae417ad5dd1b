/**
 * @module
 * Test fixtures for router tests: router tokens, a raw frame client and a tiny driver.
 */
import * as grpc from "@grpc/grpc-js";
import { Driver, ExporterSession, ExporterStatus, exportMethod, exportstream, listenSession, routerServiceDefinition } from "@jumpstarter/core";
import type { Frame } from "@jumpstarter/core";
import { SignJWT } from "jose";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import type { AddressInfo, Server } from "node:net";
import { ROUTER_TOKEN_AUDIENCE, ROUTER_TOKEN_ISSUER } from "../router/router-auth.js";

/** Mints a router token the way the controller does, with overridable claims. */
export async function routerToken(
  key: string,
  streamId: string,
  overrides: { issuer?: string; audience?: string; expiresIn?: string | number; alg?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: overrides.alg ?? "HS256" })
    .setIssuer(overrides.issuer ?? ROUTER_TOKEN_ISSUER)
    .setAudience(overrides.audience ?? ROUTER_TOKEN_AUDIENCE)
    .setSubject(streamId)
    .setIssuedAt()
    .setNotBefore("0s")
    .setExpirationTime(overrides.expiresIn ?? "30m")
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(key));
}

const RawRouterClient = grpc.makeGenericClientConstructor(routerServiceDefinition, "RouterService");

/** A frame-level RouterService client (no byte-stream semantics), to observe exactly what the router relays. */
export function rawRouterClient(address: string, credentials = grpc.credentials.createInsecure()): grpc.Client {
  return new RawRouterClient(address, credentials);
}

/** Opens a raw Stream call with the given authorization header values. */
export function openRawStream(client: grpc.Client, authorization: readonly string[]): grpc.ClientDuplexStream<Frame, Frame> {
  const metadata = new grpc.Metadata();
  for (const value of authorization) metadata.add("authorization", value);
  const call = (client as unknown as { stream(metadata: grpc.Metadata): grpc.ClientDuplexStream<Frame, Frame> }).stream(metadata);
  call.on("error", () => undefined);
  return call;
}

/** Resolves with the final status of a client call. */
export function statusOf(call: grpc.ClientDuplexStream<Frame, Frame>): Promise<grpc.StatusObject> {
  call.on("error", () => undefined);
  return new Promise((resolve) => call.once("status", resolve));
}

/** A driver with one unary method and one byte stream (a TCP echo peer). */
export class TunnelTestDriver extends Driver {
  echoPort = 0;

  client(): string {
    return "jumpstarter_test.client.TunnelTestClient";
  }

  @exportMethod
  greet(name: string): string {
    return `hello ${name}`;
  }

  @exportstream
  async connect(): Promise<import("node:stream").Duplex> {
    const { connect } = await import("node:net");
    const socket = connect(this.echoPort, "127.0.0.1");
    await once(socket, "connect");
    return socket;
  }
}

/** A TCP echo server on 127.0.0.1. */
export async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}

/** A {@link TunnelTestDriver} served by a ready exporter session on `<directory>/session.sock`, with its echo peer. */
export interface TunnelSession extends AsyncDisposable {
  /** Path of the session's unix socket. */
  readonly socket: string;
  /** Closes the session, its listener and the echo peer. */
  close(): Promise<void>;
}

/** Starts a {@link TunnelSession} in `directory`. */
export async function serveTunnelSession(directory: string): Promise<TunnelSession> {
  const echo = await echoServer();
  const driver = new TunnelTestDriver();
  driver.echoPort = echo.port;
  const session = new ExporterSession({ root: driver });
  session.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
  const socket = join(directory, "session.sock");
  const server = await listenSession(session, { address: `unix:${socket}` });
  const close = async () => {
    await session.close();
    await server.close();
    echo.server.close();
  };
  return { socket, close, [Symbol.asyncDispose]: close };
}
