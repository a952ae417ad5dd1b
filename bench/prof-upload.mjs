import { startServer } from "./dist/server-handle.js";
import { connectSession } from "./dist/session-target.js";
import { mkdtemp } from "node:fs/promises";
const dir = await mkdtemp("/tmp/prof/s-");
const server = await startServer("session", dir);
const target = await connectSession(server.address);
const chunk = Buffer.alloc(64 * 1024, 7);
const bytes = 512 * 1024 * 1024;
const mode = process.argv[2] ?? "upload";
for (let i = 0; i < 5; i++) {
  const c0 = process.cpuUsage(); const s0 = await server.cpuMicros(); const t0 = performance.now();
  if (mode === "upload") await target.upload(bytes, chunk); else await target.download(bytes);
  const t = (performance.now() - t0) / 1000; const c = process.cpuUsage(c0); const s = (await server.cpuMicros()) - s0;
  const gib = bytes / 2 ** 30;
  console.log(`${mode} ${(bytes / 1e6 / t).toFixed(0)} MB/s client ${((c.user + c.system) / 1e6 / gib).toFixed(2)} s/GiB exporter ${(s / 1e6 / gib).toFixed(2)} s/GiB`);
}
await target.close(); await server.stop();
