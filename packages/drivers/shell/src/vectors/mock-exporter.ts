/**
 * @module
 * The driver tree of the vectors' `exporter-mock.yaml`, built from our drivers and served the way local mode
 * serves it (LEASE_READY, unix socket). Test support only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Driver, ServerTls, SessionServer } from "@jumpstarter/core";
import { ExporterSession, ExporterStatus, listenSession } from "@jumpstarter/core";
import { Composite } from "@jumpstarter/driver-composite/driver";
import { TcpNetwork } from "@jumpstarter/driver-network/driver";
import { MockPower } from "@jumpstarter/driver-power/driver";
import { Shell } from "../driver.js";

/** Names of the vector tree's drivers, as `driver_uuids` in get_report.json spells them. */
export type MockDriverName = "root" | "power" | "tcp" | "shell" | "group" | "group.power2";

/** The `exporter-mock.yaml` tree; `tcpPort` is where its `tcp` driver connects (19007 in the capture). */
export function buildMockExporterTree(tcpPort = 19007): { root: Composite; drivers: Record<MockDriverName, Driver> } {
  const power2 = new MockPower();
  const group = new Composite({}, { children: { power2 } });
  const power = new MockPower();
  const tcp = new TcpNetwork({ host: "127.0.0.1", port: tcpPort });
  const shell = new Shell({
    methods: {
      hello: "echo hello-from-shell",
      greet: { command: 'echo "greet $1"', description: "echo the first argument" },
    },
  });
  const root = new Composite({}, { description: "interop mock exporter", children: { power, tcp, shell, group } });
  return { root, drivers: { root, power, tcp, shell, group, "group.power2": power2 } };
}

/** A served mock exporter. */
export interface MockExporter extends AsyncDisposable {
  readonly session: ExporterSession;
  readonly server: SessionServer;
  readonly drivers: Record<MockDriverName, Driver>;
}

/**
 * Serves the mock tree on a fresh unix socket, in LEASE_READY as local mode does; with `tls`, on a TCP port of
 * 127.0.0.1 with that certificate instead (direct mode's transport).
 */
export async function serveMockExporter(tcpPort?: number, tls?: ServerTls): Promise<MockExporter> {
  const { root, drivers } = buildMockExporterTree(tcpPort);
  const directory = await mkdtemp(join(tmpdir(), "jumpstarter-vectors-"));
  const session = new ExporterSession({ root });
  session.status.set(ExporterStatus.LEASE_READY);
  const server = await listenSession(session, tls ? { address: "127.0.0.1:0", tls } : { address: `unix:${join(directory, "socket")}` });
  return {
    session,
    server,
    drivers,
    [Symbol.asyncDispose]: async () => {
      await session.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
