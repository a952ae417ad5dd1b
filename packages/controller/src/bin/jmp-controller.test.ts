import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import type { HealthCheckResponse } from "@jumpstarter/protocol/gen/grpc/health/v1/health_pb";
import type { Lease, ListLeasesResponse } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ExporterStatus } from "@jumpstarter/protocol/gen/jumpstarter/v1/common_pb";
import type { DialResponse, StatusResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { TokenIssuer } from "../auth/tokens.js";
import { Identities } from "../identity/identities.js";
import { openStore } from "../store/open-store.js";
import type { ControllerClients, Identity } from "../testing/grpc-clients.js";
import { controllerClients } from "../testing/grpc-clients.js";
import { JMP_CONTROLLER, startControllerProcess } from "../testing/processes.js";
import { readControllerInfo } from "./controller-info.js";

const run = promisify(execFile);
const HealthClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(Health), "Health");

function check(address: string, credentials: grpc.ChannelCredentials, service = "", options: grpc.ChannelOptions = {}): Promise<HealthCheckResponse> {
  const client = new HealthClient(address, credentials, options);
  return new Promise<HealthCheckResponse>((resolve, reject) =>
    (client as unknown as { check(r: object, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, v: HealthCheckResponse) => void): void }).check(
      { service },
      { deadline: Date.now() + 10_000 },
      (error, value) => {
        client.close();
        if (error) reject(error);
        else resolve(value);
      },
    ),
  );
}

async function identities(database: string): Promise<{ client: Identity; exporter: (name: string, labels: Record<string, string>) => Promise<Identity>; close(): Promise<void> }> {
  await mkdir(dirname(database), { recursive: true });
  const store = await openStore(database);
  const ids = new Identities(store, await TokenIssuer.open(store));
  const { token } = await ids.createClient("default", "proc-client");
  return {
    client: { token, kind: "Client", namespace: "default", name: "proc-client" },
    exporter: async (name, labels) => ({ token: (await ids.createExporter("default", name, { labels })).token, kind: "Exporter", namespace: "default", name }),
    close: () => store.close(),
  };
}

async function onlineLease(clients: ControllerClients, client: Identity, exporter: Identity, selector: string): Promise<string> {
  await clients.unary("controller", "register", { labels: {}, reports: [{ uuid: crypto.randomUUID(), labels: {} }] }, exporter);
  await clients.unary("controller", "reportStatus", { status: ExporterStatus.AVAILABLE, message: "" }, exporter);
  const lease = await clients.unary<Lease>("client", "createLease", { parent: "namespaces/default", lease: { selector, duration: { seconds: 3600n } } }, client);
  for (let i = 0; i < 400; i++) {
    const current = await clients.unary<Lease>("client", "getLease", { name: lease.name }, client);
    if (current.exporter) return lease.name.split("/").pop()!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("lease not ready");
}

describe("jmp-controller process", () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-controller-bin-"));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it("serves TLS with a certificate that verifies against the CA --print-ca prints, and answers health checks", async () => {
    const state = join(directory, "tls-case");
    const database = join(state, "controller.db");
    const { stdout: ca } = await run(process.execPath, [JMP_CONTROLLER, "--database", database, "--endpoint", "controller.lab.test:8082", "--print-ca"]);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
    await using proc = await startControllerProcess(["--database", database, "--listen", "127.0.0.1:0", "--endpoint", "controller.lab.test:8082"]);
    const info = (await readControllerInfo(state))!;
    assert.equal(info.ca.trim(), ca.trim());
    assert.equal(info.endpoint, "controller.lab.test:8082");
    const port = proc.address.split(":").pop()!;
    const trusted = grpc.credentials.createSsl(Buffer.from(ca));
    const asAdvertised = { "grpc.ssl_target_name_override": "controller.lab.test", "grpc.default_authority": "controller.lab.test" };
    assert.equal((await check(`127.0.0.1:${port}`, trusted, "", asAdvertised)).status, Serving.SERVING);
    assert.equal((await check(`localhost:${port}`, trusted, "jumpstarter.v1.ControllerService")).status, Serving.SERVING);
    assert.equal((await check(`localhost:${port}`, trusted, "jumpstarter.v1.RouterService")).status, Serving.SERVING);
    await assert.rejects(check(`localhost:${port}`, trusted, "no.such.Service"), { code: grpc.status.NOT_FOUND });
    await assert.rejects(check(`localhost:${port}`, trusted, "", { "grpc.ssl_target_name_override": "elsewhere.test" }), { code: grpc.status.UNAVAILABLE });
    await assert.rejects(check(`localhost:${port}`, grpc.credentials.createInsecure()), { code: grpc.status.UNAVAILABLE });
    const leaf = new X509Certificate((await import("node:fs")).readFileSync(join(state, "tls", "server.pem")));
    assert.ok(leaf.checkHost("controller.lab.test"));
    assert.equal(await proc.stop(), 0);
  });

  it("keeps clients, exporters, leases and the CA across a restart on the same SQLite file", async () => {
    const state = join(directory, "restart-case");
    const database = join(state, "controller.db");
    const ids = await identities(database);
    try {
      const exporter = await ids.exporter("restart-board", { board: "restart" });
      let proc = await startControllerProcess(["--database", database, "--listen", "127.0.0.1:0"]);
      const ca = (await readControllerInfo(state))!.ca;
      let clients = controllerClients(proc.address, grpc.credentials.createSsl(Buffer.from(ca)));
      const lease = await onlineLease(clients, ids.client, exporter, "board=restart");
      clients.close();
      assert.equal(await proc.stop(), 0);

      proc = await startControllerProcess(["--database", database, "--listen", "127.0.0.1:0"]);
      try {
        assert.equal((await readControllerInfo(state))!.ca, ca, "the same CA after the restart");
        clients = controllerClients(proc.address, grpc.credentials.createSsl(Buffer.from(ca)));
        const listed = await clients.unary<ListLeasesResponse>("client", "listLeases", { parent: "namespaces/default" }, ids.client);
        const kept = listed.leases.find((item) => item.name.endsWith(`/${lease}`));
        assert.ok(kept, "the lease survived");
        assert.equal(kept.exporter, "namespaces/default/exporters/restart-board");
        assert.ok(kept.conditions.some((condition) => condition.type === "Ready" && condition.status === "True"));
        const status = clients.stream<StatusResponse>("status", {}, exporter);
        const [first] = (await new Promise<[StatusResponse]>((resolve) => status.once("data", (message: StatusResponse) => resolve([message]))));
        assert.equal(first.leased, true);
        assert.equal(first.leaseName, lease);
        status.cancel();
        clients.close();
      } finally {
        await proc.stop();
      }
    } finally {
      await ids.close();
    }
  });

  it("two router processes: Dial hands out the router whose labels match the exporter's", async () => {
    const state = join(directory, "routers-case");
    const database = join(state, "controller.db");
    await using routerA = await startControllerProcess(["router", "--database", database, "--listen", "127.0.0.1:0", "--endpoint", "127.0.0.1:0"]);
    await using routerB = await startControllerProcess(["router", "--database", database, "--listen", "127.0.0.1:0", "--endpoint", "127.0.0.1:0"]);
    const config = join(state, "controller.yaml");
    await writeFile(
      config,
      `router:\n  site-a:\n    endpoint: ${routerA.address}\n    labels: {site: a}\n  site-b:\n    endpoint: ${routerB.address}\n    labels: {site: b}\n`,
    );
    const ids = await identities(database);
    await using proc = await startControllerProcess(["--database", database, "--listen", "127.0.0.1:0", "--config", config, "--router-listen", "none"]);
    try {
      const ca = (await readControllerInfo(state))!.ca;
      const clients = controllerClients(proc.address, grpc.credentials.createSsl(Buffer.from(ca)));
      for (const [site, router] of [["a", routerA], ["b", routerB]] as const) {
        const exporter = await ids.exporter(`site-${site}-board`, { site });
        const lease = await onlineLease(clients, ids.client, exporter, `site=${site}`);
        await clients.unary("controller", "reportStatus", { status: ExporterStatus.LEASE_READY, message: "" }, exporter);
        const listen = clients.stream("listen", { leaseName: lease }, exporter);
        let dialed: DialResponse | undefined;
        for (let i = 0; i < 100 && !dialed; i++) {
          dialed = await clients.unary<DialResponse>("controller", "dial", { leaseName: lease }, ids.client).catch(() => undefined);
          if (!dialed) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(dialed?.routerEndpoint, router.address);
        listen.cancel();
      }
      assert.match(routerA.log(), /router serving on/);
      clients.close();
    } finally {
      await ids.close();
    }
  });
});
