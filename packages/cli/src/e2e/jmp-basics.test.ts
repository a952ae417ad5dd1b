import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadExporterConfigFile } from "../config/load.js";
import { JMP_BIN, runCli } from "../testing/spawn-cli.js";

let work = "";
let env: NodeJS.ProcessEnv = {};
const jmp = (args: readonly string[], extra: NodeJS.ProcessEnv = {}) => runCli(JMP_BIN, args, { env: { ...env, ...extra } });

before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-e2e-basics-"));
  env = { ...process.env, JMP_CLIENT_CONFIG_HOME: join(work, "config"), XDG_RUNTIME_DIR: work };
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("jmp basics", () => {
  it("prints its version as text, JSON and YAML", async () => {
    const text = await jmp(["version"]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Jumpstarter v0\.1\.0 from \S+ \(Node \d+\.\d+\.\d+\)\n$/);
    const json = JSON.parse((await jmp(["ver", "-o", "json"])).stdout) as { gitVersion: string };
    assert.equal(json.gitVersion, "0.1.0");
    assert.match((await jmp(["v", "-o", "yaml"])).stdout, /^gitVersion: 0\.1\.0\nnodeVersion: /);
    const bad = await jmp(["version", "-o", "xml"]);
    assert.deepEqual([bad.code, bad.stderr], [2, 'Error: invalid value for -o/--output: "xml" (choose from json, yaml)\n']);
  });

  it("separates usage errors (2) from success and help (0)", async () => {
    assert.equal((await jmp(["--help"])).code, 0);
    assert.equal((await jmp(["shell", "--help"])).code, 0);
    const unknown = await jmp(["frobnicate"]);
    assert.deepEqual([unknown.code, unknown.stderr], [2, "Error: unknown command 'frobnicate'\n"]);
    const noConfig = await jmp(["shell"]);
    assert.deepEqual([noConfig.code, noConfig.stderr], [2, "Error: jmp shell needs a client config (--client ALIAS, --client-config PATH or a current client), --exporter-config PATH, --exporter ALIAS or --tls-grpc HOST:PORT\n"]);
    const both = await jmp(["sh", "--exporter", "a", "--exporter-config", "b"]);
    assert.deepEqual([both.code, both.stderr], [2, "Error: use either --exporter or --exporter-config, not both\n"]);
  });

  it("creates, lists, edits, uses and deletes saved exporter configs", async () => {
    const create = ["config", "exporter", "create", "lab", "--namespace", "ns", "--name", "bench-1", "--endpoint", "ctl:443", "--token", "t0k", "--nointeractive"];
    const created = await jmp([...create, "-o", "path"]);
    assert.equal(created.code, 0, created.stderr);
    const path = join(work, "config", "exporters", "lab.yaml");
    assert.equal(created.stdout, `${path}\n`);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const loaded = await loadExporterConfigFile(path);
    assert.deepEqual([loaded.config.metadata, loaded.config.endpoint, loaded.config.token], [{ namespace: "ns", name: "bench-1" }, "ctl:443", "t0k"]);
    const again = await jmp(create);
    assert.deepEqual([again.code, again.stderr], [1, `Error: an exporter config with the alias "lab" already exists: ${path}\n`]);
    const missing = await jmp(["config", "exporter", "create", "other", "--nointeractive"]);
    assert.equal(missing.code, 2);

    const table = await jmp(["conf", "e", "ls"]);
    assert.equal(table.stdout, `ALIAS   PATH\nlab     ${path}\n`);
    assert.equal((await jmp(["config", "exporters", "list", "-o", "name"])).stdout, "lab\n");
    const list = JSON.parse((await jmp(["config", "exporter", "list", "-o", "json"])).stdout) as { kind: string; items: Array<{ alias: string; metadata: unknown }> };
    assert.equal(list.kind, "ExporterConfigList");
    assert.deepEqual(list.items.map((item) => [item.alias, item.metadata]), [["lab", { namespace: "ns", name: "bench-1" }]]);

    const edited = await jmp(["config", "exporter", "edit", "lab"], { EDITOR: "printf '# edited\\n' >>" });
    assert.equal(edited.code, 0, edited.stderr);
    assert.match(await readFile(path, "utf8"), /# edited\n$/);

    const shell = await jmp(["shell", "--exporter", "lab", "--", "j", "--help"]);
    assert.equal(shell.code, 0, shell.stderr);
    assert.match(shell.stdout, /^Usage: j /);

    const deleted = await jmp(["config", "exporter", "delete", "lab", "-o", "path"]);
    assert.deepEqual([deleted.code, deleted.stdout], [0, `${path}\n`]);
    const gone = await jmp(["config", "exporter", "rm", "lab"]);
    assert.equal(gone.code, 1);
    assert.equal((await jmp(["config", "exporter", "list"])).stdout, "No resources found.\n");
    const badAlias = await jmp(["config", "exporter", "delete", "../x"]);
    assert.equal(badAlias.code, 2);
  });

  it("lists the driver types this installation can load", async () => {
    const result = await jmp(["driver", "list"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^NAME +TYPE +PACKAGE\n/);
    assert.match(result.stdout, /\nMockPower +jumpstarter_driver_power\.driver\.MockPower +@jumpstarter\/driver-power\n/);
    assert.match(result.stdout, /\nComposite +jumpstarter_driver_composite\.driver\.Composite +@jumpstarter\/driver-composite\n/);
  });

  it("prints completion scripts that complete the command tree", async () => {
    const bash = await jmp(["completion", "bash"]);
    assert.equal(bash.code, 0);
    const script = join(work, "jmp-completion.bash");
    await writeFile(script, bash.stdout);
    const complete = (words: string) =>
      execFileSync("bash", ["-c", `source "$0"; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _jmp_complete; echo "\${COMPREPLY[*]}"`, script])
        .toString()
        .trim();
    assert.equal(complete('jmp conf e ""'), "create c list ls delete del d rm edit --help");
    assert.equal(complete("jmp sh --exporter-c"), "--exporter-config");
    assert.equal(complete("jmp ver"), "version ver");
    assert.match((await jmp(["completion", "zsh"])).stdout, /^#compdef jmp\nautoload -U \+X bashcompinit/);
    const fish = (await jmp(["completion", "fish"])).stdout;
    assert.match(fish, /complete -c jmp -f -n 'test "\(__jmp_path\)" = "config exporter"' -a 'create c list ls delete del d rm edit'/);
    assert.equal((await jmp(["completion", "tcsh"])).code, 2);
  });
});
