import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { clientConfigFromEnv, driversAllowValue, LEASE_DEFAULTS, loadClientConfigFile, parseClientConfig } from "./client-config.js";
import type { ClientConfig } from "./client-config.js";
import { currentClientAlias, deleteClient, hasClientConfig, listClientAliases, saveClientConfig, selectClientConfig, useClient } from "./client-store.js";

const full = `apiVersion: jumpstarter.dev/v1alpha1
kind: ClientConfig
metadata:
  namespace: lab
  name: alice
endpoint: ctl.example:8082
tls:
  ca: ""
  insecure: true
token: t0k
refresh_token: r3fresh
grpcOptions:
  grpc.keepalive_time_ms: 1000
drivers:
  allow: ["jumpstarter_driver_power.*"]
  unsafe: false
shell:
  use_profiles: true
leases:
  acquisition_timeout: 60
  dial_timeout: 7.5
  retry_timeout: 0
`;

const sample: ClientConfig = {
  apiVersion: "jumpstarter.dev/v1alpha1",
  kind: "ClientConfig",
  metadata: { namespace: "lab", name: "bob" },
  endpoint: "127.0.0.1:8082",
  tls: { ca: "", insecure: false },
  token: "tok",
  refreshToken: null,
  grpcOptions: {},
  drivers: { allow: [], unsafe: true },
  shell: { useProfiles: false },
  leases: { ...LEASE_DEFAULTS },
};

let work = "";
let env: NodeJS.ProcessEnv = {};
before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-client-config-"));
  env = { JMP_CLIENT_CONFIG_HOME: join(work, "home") };
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("ClientConfig files", () => {
  it("reads every reference key", () => {
    const config = parseClientConfig(full, "alice.yaml");
    assert.deepEqual(config.metadata, { namespace: "lab", name: "alice" });
    assert.equal(config.endpoint, "ctl.example:8082");
    assert.deepEqual(config.tls, { ca: "", insecure: true });
    assert.deepEqual([config.token, config.refreshToken], ["t0k", "r3fresh"]);
    assert.deepEqual(config.grpcOptions, { "grpc.keepalive_time_ms": 1000 });
    assert.deepEqual(config.drivers, { allow: ["jumpstarter_driver_power.*"], unsafe: false });
    assert.deepEqual(config.shell, { useProfiles: true });
    assert.deepEqual(config.leases, { acquisitionTimeout: 60, dialTimeout: 7.5, retryTimeout: 0 });
  });

  it("fills defaults for a minimal file", () => {
    const config = parseClientConfig("metadata: {namespace: ns, name: n}\n", "min.yaml");
    assert.deepEqual([config.endpoint, config.token, config.tls, config.drivers, config.leases], [null, null, { ca: "", insecure: false }, { allow: [], unsafe: false }, LEASE_DEFAULTS]);
  });

  it("rejects unknown keys at the top level and in metadata, drivers and leases, naming file and line", () => {
    assert.throws(() => parseClientConfig(`${full}colour: blue\n`, "a.yaml"), { message: 'a.yaml:23 (top level): unknown key "colour"' });
    assert.throws(() => parseClientConfig(full.replace("  name: alice\n", "  name: alice\n  uid: x\n"), "a.yaml"), { message: 'a.yaml:6 metadata: unknown key "uid"' });
    assert.throws(() => parseClientConfig(full.replace("  unsafe: false\n", "  unsafe: false\n  deny: []\n"), "a.yaml"), { message: /^a\.yaml:17 drivers: unknown key "deny"$/ });
    assert.throws(() => parseClientConfig(`${full}  lease_timeout: 3\n`, "a.yaml"), { message: /leases: unknown key "lease_timeout"/ });
    assert.throws(() => parseClientConfig(full.replace("acquisition_timeout: 60", "acquisition_timeout: 2"), "a.yaml"), { message: /leases\.acquisition_timeout: must be at least 5/ });
    assert.throws(() => parseClientConfig("kind: ExporterConfig\nmetadata: {namespace: a, name: b}\n", "k.yaml"), { message: /k\.yaml:1 kind: expected "ClientConfig"/ });
  });

  it("saves with mode 0600, without nulls and without an all-default leases block, and reads it back", async () => {
    const path = join(work, "out.yaml");
    await saveClientConfig("ignored", sample, { out: path, env });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const text = await readFile(path, "utf8");
    assert.doesNotMatch(text, /leases:|refresh_token|shell:|null/);
    assert.match(text, /^apiVersion: jumpstarter.dev\/v1alpha1\nkind: ClientConfig\nmetadata:\n {2}namespace: lab\n {2}name: bob\nendpoint: 127.0.0.1:8082\n/);
    assert.deepEqual((await loadClientConfigFile(path)).config, sample);
    const custom = { ...sample, leases: { ...LEASE_DEFAULTS, dialTimeout: 5 } };
    await saveClientConfig("ignored", custom, { out: path, env });
    assert.match(await readFile(path, "utf8"), /leases:\n {2}acquisition_timeout: 7200\n {2}dial_timeout: 5\n {2}retry_timeout: 300\n/);
  });

  it("makes the first saved client current, switches with use, and moves on when the current one is deleted", async () => {
    assert.equal(await hasClientConfig(env), false);
    await saveClientConfig("one", sample, { env });
    await saveClientConfig("two", { ...sample, metadata: { namespace: "lab", name: "two" } }, { env });
    assert.deepEqual(listClientAliases(env), ["one", "two"]);
    assert.equal(await currentClientAlias(env), "one");
    await assert.rejects(saveClientConfig("one", sample, { env }), { message: /already exists/ });
    await useClient("two", env);
    assert.equal((await selectClientConfig({}, env)).config.metadata.name, "two");
    assert.equal((await selectClientConfig({ client: "one" }, env)).config.metadata.name, "bob");
    await assert.rejects(useClient("three", env), { message: 'client config "three" does not exist' });
    await deleteClient("two", env);
    assert.equal(await currentClientAlias(env), "one");
    await deleteClient("one", env);
    assert.equal(await currentClientAlias(env), null);
    await assert.rejects(selectClientConfig({}, env), { message: /^no client config/ });
    await assert.rejects(selectClientConfig({ client: "a", clientConfig: "b" }, env), { message: "use either --client or --client-config, not both" });
  });

  it("builds the env-only config, which wins over the current client", async () => {
    assert.equal(clientConfigFromEnv({ JMP_NAME: "x" }), undefined);
    const fromEnv = clientConfigFromEnv({
      JMP_NAMESPACE: "ns",
      JMP_NAME: "ci",
      JMP_ENDPOINT: "ctl:443",
      JMP_TOKEN: "jwt",
      JMP_DRIVERS_ALLOW: "a.*,b.Client",
      JMP_GRPC_INSECURE: "1",
      JMP_DIAL_TIMEOUT: "12",
    })!;
    assert.deepEqual([fromEnv.endpoint, fromEnv.token, fromEnv.tls.insecure, fromEnv.drivers, fromEnv.leases.dialTimeout], ["ctl:443", "jwt", true, { allow: ["a.*", "b.Client"], unsafe: false }, 12]);
    assert.equal(driversAllowValue(fromEnv), "a.*,b.Client");
    assert.equal(driversAllowValue(clientConfigFromEnv({ JMP_NAMESPACE: "ns", JMP_NAME: "ci", JMP_DRIVERS_ALLOW: "UNSAFE" })!), "UNSAFE");
    await saveClientConfig("saved", sample, { env });
    const chosen = await selectClientConfig({}, { ...env, JMP_NAMESPACE: "ns", JMP_NAME: "ci" });
    assert.equal(chosen.config.metadata.name, "ci");
    assert.equal(chosen.path, undefined);
    await writeFile(join(work, "home", "clients", "saved.yaml"), "metadata: {namespace: a, name: b}\nextra: 1\n");
    await assert.rejects(selectClientConfig({}, env), { message: /saved\.yaml:2 \(top level\): unknown key "extra"/ });
  });
});
