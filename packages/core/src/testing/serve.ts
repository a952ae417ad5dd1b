/**
 * @module
 * `serve(driver)`: a driver served by a real exporter session on a fresh unix socket, with a connected client.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unsafeAllowlist } from "../client/allowlist.js";
import { connectExporter } from "../client/connect.js";
import type { ExporterConnection } from "../client/connection.js";
import type { DriverClient, DriverClientClass } from "../client/driver-client.js";
import type { Driver } from "../driver/driver.js";
import type { SessionServer } from "../session/server.js";
import { listenSession } from "../session/server.js";
import { ExporterSession } from "../session/session.js";
import { ExporterStatus } from "../session/status.js";

/** A served driver and its client. Dispose (or `close()`) to stop everything `serve` started. */
export interface Served<C extends DriverClient> extends AsyncDisposable {
  readonly client: C;
  readonly session: ExporterSession;
  readonly server: SessionServer;
  readonly connection: ExporterConnection;
  close(): Promise<void>;
}

/** Options of {@link serve}. */
export interface ServeOptions<C extends DriverClient> {
  /** Client class for the root driver; the registry's class for its label otherwise. */
  readonly client?: DriverClientClass<C>;
}

/**
 * Serves `driver` over a real gRPC session on a temporary unix socket and returns a connected client
 * (all client classes allowed, as the reference's `serve` does). The driver is closed on `close()`.
 */
export async function serve<C extends DriverClient = DriverClient>(driver: Driver, options: ServeOptions<C> = {}): Promise<Served<C>> {
  const directory = await mkdtemp(join(tmpdir(), "jumpstarter-serve-"));
  const session = new ExporterSession({ root: driver });
  session.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
  let server: SessionServer | undefined;
  try {
    server = await listenSession(session, { address: `unix:${join(directory, "socket")}` });
    const handle = await connectExporter<C>(
      { address: server.address },
      { allowlist: unsafeAllowlist, genericFallback: true, ...(options.client ? { rootClass: options.client } : {}) },
    );
    const activeServer = server;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        handle.close();
        await session.close();
        await activeServer.close();
        await rm(directory, { recursive: true, force: true });
      })());
    return { client: handle.root, session, server: activeServer, connection: handle.connection, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await session.close();
    await server?.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
