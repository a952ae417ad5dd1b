// Saved client configs with the real binaries: `jmp admin create client --save` makes the first client current,
// `jmp config client list|use|delete` manage them, and client commands use the current one without flags.
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Lab } from "./distributed-lab.js";

describe("client configs in the user directory", () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.start();
  });
  after(async () => {
    await lab?.close();
  });

  it("lists, switches and deletes saved clients; commands use the current one", async () => {
    await lab.admin(["create", "client", "erin", "--save", "--unsafe"]);
    await lab.admin(["create", "client", "frank", "--save"]);
    const dir = join(lab.dir, "home", "clients");
    assert.equal((await stat(join(dir, "erin.yaml"))).mode & 0o777, 0o600);

    const table = await lab.jmp(["config", "client", "list"]);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(
      table.stdout,
      `CURRENT   ALIAS   ENDPOINT          PATH\n*         erin    ${lab.endpoint}   ${join(dir, "erin.yaml")}\n          frank   ${lab.endpoint}   ${join(dir, "frank.yaml")}\n`,
    );
    const json = JSON.parse((await lab.jmp(["config", "client", "list", "-o", "json"])).stdout) as {
      apiVersion: string;
      kind: string;
      currentConfig: string;
      items: Array<{ alias: string; metadata: { name: string }; drivers: { unsafe: boolean } }>;
    };
    assert.deepEqual([json.apiVersion, json.kind, json.currentConfig], ["jumpstarter.dev/v1alpha1", "ClientConfigList", "erin"]);
    assert.deepEqual(json.items.map((item) => [item.alias, item.metadata.name, item.drivers.unsafe]), [["erin", "erin", true], ["frank", "frank", false]]);
    assert.equal((await lab.jmp(["config", "client", "list", "-o", "name"])).stdout, "erin\nfrank\n");

    const created = await lab.jmp(["create", "lease", "-l", "board=none", "--duration", "1m", "-o", "json"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { client: string }).client, "erin");

    assert.equal((await lab.jmp(["config", "client", "use", "frank", "-o", "path"])).stdout, `${join(dir, "frank.yaml")}\n`);
    const asFrank = await lab.jmp(["get", "leases", "-A", "-a", "-o", "json"]);
    assert.equal(asFrank.code, 0, asFrank.stderr);
    assert.deepEqual((JSON.parse(asFrank.stdout) as { leases: Array<{ client: string }> }).leases.map((item) => item.client), ["erin"]);
    assert.equal((await lab.jmp(["get", "leases", "-a"])).stdout, "No resources found.\n");

    assert.equal((await lab.jmp(["config", "client", "delete", "frank"])).stdout, 'Client config "frank" deleted\n');
    assert.match((await lab.jmp(["config", "client", "list"])).stdout, /\n\*\s+erin\s/);
    const missing = await lab.jmp(["config", "client", "use", "frank"]);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Error: client config "frank" does not exist\n']);
  });
});
