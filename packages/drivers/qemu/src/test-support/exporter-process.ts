/**
 * @module
 * A minimal exporter process for lifetime tests: serves a `Qemu` driver (config as JSON in argv[3]) on the
 * unix socket argv[2], prints `ready` and runs until killed.
 */
import { ExporterSession, ExporterStatus, listenSession } from "@jumpstarter/core";
import { Qemu } from "../qemu.js";

const [socket, config] = process.argv.slice(2);
if (!socket || !config) throw new Error("usage: exporter-process.js SOCKET CONFIG_JSON");
const session = new ExporterSession({ root: new Qemu(JSON.parse(config)) });
session.status.set(ExporterStatus.LEASE_READY, "Ready for commands");
await listenSession(session, { address: `unix:${socket}` });
process.stdout.write("ready\n");
