/**
 * @module
 * Entry of a benchmark server process: `node server-process.js <session|grpc|socket> <unix:/path>`, started with
 * an IPC channel. It reports `ready`, then answers `cpu` requests with its own `process.cpuUsage()` (user +
 * system µs), so the CPU the bench attributes to the exporter is the exporter's alone.
 */
import { startGrpcServer } from "./grpc-target.js";
import { startSessionServer } from "./session-target.js";
import { startSocketServer } from "./socket-target.js";
import type { ServerMessage, ServerRequest, TargetKind } from "./workload.js";

const starters: Record<TargetKind, (address: string) => Promise<string>> = {
  session: startSessionServer,
  grpc: startGrpcServer,
  socket: startSocketServer,
};

function send(message: ServerMessage): void {
  process.send?.(message);
}

const [kind, address] = process.argv.slice(2) as [TargetKind, string];
try {
  const start = starters[kind];
  if (!start || !address) throw new Error(`usage: server-process <${Object.keys(starters).join("|")}> unix:/path`);
  const bound = await start(address);
  process.on("message", (request: ServerRequest) => {
    if (request.type === "cpu") {
      const usage = process.cpuUsage();
      send({ type: "cpu", id: request.id, micros: usage.user + usage.system });
    } else {
      process.exit(0);
    }
  });
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", address: bound });
} catch (error) {
  send({ type: "error", message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
