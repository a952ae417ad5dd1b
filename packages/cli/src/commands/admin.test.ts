import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { runController, silentControllerLogger } from "../testing/admin-fixtures.js";
import type { ControllerProcess } from "../testing/admin-fixtures.js";
import { parse } from "yaml";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ClientService } from "@jumpstarter/protocol/gen/jumpstarter/client/v1/client_pb";
import { ControllerService } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { loadClientConfigFile } from "../distributed/client-config.js";
import { JMP_BIN, runCli } from "../testing/spawn-cli.js";

const ClientClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ClientService), "ClientService");
const ControllerClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ControllerService), "ControllerService");

interface ConfigValues {
  endpoint: string;
  token: string;
  caBase64: string;
  namespace: string;
  name: string;
}

function call(kind: "Client" | "Exporter", config: ConfigValues): Promise<unknown> {
  const credentials = grpc.credentials.createSsl(Buffer.from(config.caBase64, "base64"));
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${config.token}`);
  metadata.set("jumpstarter-kind", kind);
  metadata.set("jumpstarter-namespace", config.namespace);
  metadata.set("jumpstarter-name", config.name);
  const client = kind === "Client" ? new ClientClient(config.endpoint, credentials) : new ControllerClient(config.endpoint, credentials);
  const method = kind === "Client" ? "listExporters" : "register";
  const request = kind === "Client" ? { parent: `namespaces/${config.namespace}` } : { labels: {}, reports: [] };
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: unknown) => void) => void>)[method]!.call(
      client,
      request,
      metadata,
      (error, value) => {
        client.close();
        if (error) reject(error);
        else resolve(value);
      },
    ),
  );
}

describe("jmp admin against a controller's database", () => {
  let directory: string;
  let controller: ControllerProcess;
  let env: NodeJS.ProcessEnv;
  let database: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "jmp-admin-"));
    database = join(directory, "state", "controller.db");
    controller = await runController(
      { listen: "127.0.0.1:0", endpoint: "127.0.0.1:0", routerListen: "same", database, namespace: "default" },
      silentControllerLogger,
    );
    env = { ...process.env, XDG_CONFIG_HOME: join(directory, "config"), XDG_STATE_HOME: join(directory, "xdg-state") };
    delete env["JMP_CLIENT_CONFIG_HOME"];
  });
  after(async () => {
    await controller.close();
    await rm(directory, { recursive: true, force: true });
  });

  const jmp = (...args: string[]) => runCli(JMP_BIN, ["admin", ...args, "--database", database], { env, timeoutMs: 60_000 });
  const endpoint = () => `127.0.0.1:${controller.controller.address.split(":").pop()}`;

  it("create client --save writes a ClientConfig whose endpoint, CA and token reach the controller", async () => {
    const created = await jmp("create", "client", "alice", "--save", "-l", "team=qa", "-a", "acme.*,other.*", "--endpoint", endpoint());
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created client "alice" in namespace "default"/);
    const path = join(directory, "config", "jumpstarter", "clients", "alice.yaml");
    const { config } = await loadClientConfigFile(path);
    assert.equal(config.endpoint, endpoint());
    assert.deepEqual(config.drivers.allow, ["acme.*", "other.*"]);
    assert.match(Buffer.from(config.tls.ca, "base64").toString(), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(parse(await readFile(join(directory, "config", "jumpstarter", "config.yaml"), "utf8")).config["current-client"], "alice");
    await call("Client", { endpoint: config.endpoint!, token: config.token!, caBase64: config.tls.ca, namespace: "default", name: "alice" });
    const again = await jmp("create", "client", "alice");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /client default\/alice already exists/);
  });

  it("create exporter --out writes an ExporterConfig that can Register; get shows it", async () => {
    const out = join(directory, "board.yaml");
    const created = await jmp("create", "exporter", "board-1", "-l", "site=lab", "--out", out, "--endpoint", endpoint(), "-o", "name");
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, "board-1\n");
    const document = parse(await readFile(out, "utf8"));
    assert.equal(document.kind, "ExporterConfig");
    assert.deepEqual(document.metadata, { namespace: "default", name: "board-1" });
    await call("Exporter", { endpoint: document.endpoint, token: document.token, caBase64: document.tls.ca, namespace: "default", name: "board-1" });
    const listed = await jmp("get", "exporters");
    assert.match(listed.stdout, /board-1\s+Unspecified\s+site=lab/);
    const json = JSON.parse((await jmp("get", "exporter", "board-1", "-o", "json")).stdout);
    assert.equal(json.kind, "Exporter");
    assert.deepEqual(json.metadata.labels, { site: "lab" });
    assert.equal(json.status.devices.length, 0);
  });

  it("rotate --save replaces the saved config's token; import writes the current token", async () => {
    const path = join(directory, "config", "jumpstarter", "clients", "alice.yaml");
    const before = (await loadClientConfigFile(path)).config.token;
    const rotated = await jmp("rotate", "client", "alice", "--save", "--endpoint", endpoint());
    assert.equal(rotated.code, 0, rotated.stderr);
    const { config } = await loadClientConfigFile(path);
    assert.notEqual(config.token, before);
    await call("Client", { endpoint: config.endpoint!, token: config.token!, caBase64: config.tls.ca, namespace: "default", name: "alice" });
    const imported = join(directory, "imported.yaml");
    const result = await jmp("import", "client", "alice", "--out", imported, "--endpoint", endpoint(), "-o", "path");
    assert.equal(result.stdout, `${imported}\n`);
    assert.equal((await loadClientConfigFile(imported)).config.token, config.token);
  });

  it("delete -d removes the identity and its local config; its token stops working", async () => {
    const path = join(directory, "config", "jumpstarter", "clients", "alice.yaml");
    const { config } = await loadClientConfigFile(path);
    const deleted = await jmp("delete", "client", "alice", "-d");
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.ok(!existsSync(path));
    await assert.rejects(call("Client", { endpoint: config.endpoint!, token: config.token!, caBase64: config.tls.ca, namespace: "default", name: "alice" }), /not found/);
    assert.equal((await jmp("delete", "client", "alice")).code, 1);
  });

  it("refuses to write a config when no controller endpoint is known", async () => {
    const lonely = join(directory, "lonely", "controller.db");
    await runController({ listen: "127.0.0.1:0", routerListen: "same", database: lonely, namespace: "default", stateDir: join(directory, "lonely-state") }, silentControllerLogger).then((p) =>
      p.close(),
    );
    const result = await runCli(JMP_BIN, ["admin", "create", "client", "x", "--database", lonely, "--save"], { env, timeoutMs: 60_000 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no controller endpoint known/);
  });
});
