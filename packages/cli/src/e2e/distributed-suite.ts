/**
 * @module
 * The distributed end-to-end suite, run once per store (SQLite, PostgreSQL): a controller, two exporters
 * with a MockPower and a Shell, two clients competing for them. Leases in queue order, `j` through the
 * router, expiry and release, bad tokens, foreign leases, selector errors, an exporter killed mid-lease and
 * a controller restart. Every wait is bounded; nothing asserts timing. Not part of the package surface.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { parseTokenSubject, signingKeyFromSeed, TokenIssuer } from "@jumpstarter/controller";
import { ExporterStatus } from "@jumpstarter/core";
import { ControllerSession } from "../distributed/client-api.js";
import { loadClientConfigFile } from "../distributed/client-config.js";
import { condition, leaseView } from "../distributed/lease-view.js";
import type { LeaseView } from "../distributed/lease-view.js";
import type { RunningCli } from "../testing/spawn-cli.js";
import type { LabOptions } from "./distributed-lab.js";
import { eventually, Lab, mockDevices } from "./distributed-lab.js";

interface Clients {
  alice: string;
  bob: string;
}

function jsonOf<T>(result: { code: number | null; stdout: string; stderr: string }): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/** Registers the suite `name` on a lab made with `options()`. */
export function runDistributedSuite(name: string, options: () => Promise<LabOptions & { cleanup?: () => Promise<void> }>): void {
  describe(name, () => {
    let lab: Lab;
    let cleanup: (() => Promise<void>) | undefined;
    const clients: Clients = { alice: "", bob: "" };
    const exporters = new Map<string, { file: string; process: RunningCli }>();
    const sessions: ControllerSession[] = [];

    const session = async (file: string) => {
      const opened = new ControllerSession(await loadClientConfigFile(file));
      sessions.push(opened);
      return opened;
    };
    const lease = async (file: string, leaseName: string): Promise<LeaseView> => leaseView(await (await session(file)).getLease(leaseName));
    const createLease = async (file: string, selector: string, duration = "10m"): Promise<string> => {
      const result = await lab.jmp(["create", "lease", "--client-config", file, "-l", selector, "--duration", duration, "-o", "name"]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim();
    };
    const readyOn = (file: string, leaseName: string) =>
      eventually(async () => {
        const view = await lease(file, leaseName);
        return condition(view, "Ready")?.status === "True" ? view.exporter : undefined;
      }, `lease ${leaseName} to become ready`);

    before(async () => {
      const made = await options();
      cleanup = made.cleanup;
      lab = await Lab.start(made);
      clients.alice = await lab.createClient("alice", { dialTimeout: 5 });
      clients.bob = await lab.createClient("bob", { dialTimeout: 5 });
      for (const exporter of ["board-1", "board-2"]) {
        const file = await lab.createExporter(exporter, { labels: { board: "mock", site: "lab" }, export: mockDevices });
        exporters.set(exporter, { file, process: await lab.startExporter(file) });
      }
    });
    afterEach(async () => {
      for (const file of [clients.alice, clients.bob]) if (file) await lab.jmp(["delete", "leases", "--client-config", file, "-a"]);
    });
    after(async () => {
      for (const opened of sessions) opened.close();
      await lab?.close();
      await cleanup?.();
    });

    it("lists the registered exporters, online and available", async () => {
      await eventually(async () => {
        const list = jsonOf<{ exporters: Array<{ name: string; online: boolean; status: number }> }>(
          await lab.jmp(["get", "exporters", "--client-config", clients.alice, "--with", "online,status", "-o", "json"]),
        );
        const ready = list.exporters.filter((item) => item.online && item.status === ExporterStatus.AVAILABLE).map((item) => item.name);
        return ready.length === 2 ? ready : undefined;
      }, "both exporters online");
      const table = await lab.jmp(["get", "exporters", "--client-config", clients.alice, "-l", "board=mock"]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s+LABELS\nboard-1\s+board=mock,jumpstarter\.dev\/name=board-1,site=lab\nboard-2\s+/);
    });

    it("grants competing leases in queue order and runs j through the router", async () => {
      const first = await createLease(clients.alice, "board=mock");
      const second = await createLease(clients.bob, "board=mock");
      const [firstOn, secondOn] = [await readyOn(clients.alice, first), await readyOn(clients.bob, second)];
      assert.deepEqual(new Set([firstOn, secondOn]), new Set(["board-1", "board-2"]));
      const third = await createLease(clients.alice, "board=mock");
      const fourth = await createLease(clients.bob, "board=mock");
      const pending = async (file: string, leaseName: string) => condition(await lease(file, leaseName), "Pending")?.message ?? "";
      assert.match(await pending(clients.alice, third), /position 1 in queue/);
      assert.match(await pending(clients.bob, fourth), /position 2 in queue/);
      const waiting = lab.spawnJmp(["shell", "--client-config", clients.bob, "-l", "board=mock", "--", "true"]);
      const queued = await waiting.waitFor(/Waiting for lease (\S+): .*position 3 in queue/, 60_000);
      waiting.child.kill("SIGINT");
      assert.equal((await waiting.exited).code, 2, "interrupted while waiting");
      assert.equal(condition(await lease(clients.bob, queued[1]!), "Ready")?.reason, "Released", "the interrupted shell released the lease it created");
      const leased = jsonOf<{ exporters: Array<{ name: string; lease: { name: string; client: string } | null }> }>(
        await lab.jmp(["get", "exporters", "--client-config", clients.alice, "-l", "board=mock", "--with", "leases", "-o", "json"]),
      );
      assert.deepEqual(
        new Set(leased.exporters.map((item) => `${item.name}:${item.lease?.name}:${item.lease?.client}`)),
        new Set([`${firstOn}:${first}:alice`, `${secondOn}:${second}:bob`]),
      );

      const driven = await lab.jmp(["shell", "--client-config", clients.alice, "--lease", first, "--", "sh", "-c", 'j power on && j shell hello && echo "$JMP_EXPORTER $JMP_LEASE $JMP_EXPORTER_LABELS"']);
      assert.equal(driven.code, 0, driven.stderr);
      assert.equal(driven.stdout, `hello-from-shell\n${firstOn} ${first} board=mock,jumpstarter.dev/name=${firstOn},site=lab\n`);
      assert.equal(condition(await lease(clients.alice, first), "Ready")?.status, "True", "a lease the shell did not create stays active");

      const released = await lab.jmp(["delete", "leases", "--client-config", clients.bob, second]);
      assert.deepEqual([released.code, released.stdout], [0, `lease "${second}" deleted\n`]);
      assert.equal(await readyOn(clients.alice, third), secondOn, "the oldest waiting lease gets the freed exporter");
      assert.match(await pending(clients.bob, fourth), /position 1 in queue/);
      assert.equal((await lab.jmp(["delete", "leases", "--client-config", clients.alice, first, "-o", "name"])).stdout, `${first}\n`);
      assert.equal(await readyOn(clients.bob, fourth), firstOn);

      const mine = jsonOf<{ leases: Array<{ name: string; client: string }> }>(await lab.jmp(["get", "leases", "--client-config", clients.bob, "-o", "json"]));
      assert.deepEqual(mine.leases.map((item) => [item.name, item.client]), [[fourth, "bob"]]);
      const everyone = jsonOf<{ leases: Array<{ name: string }> }>(await lab.jmp(["get", "leases", "--client-config", clients.bob, "-A", "-a", "-o", "json"]));
      assert.ok([first, second, third, fourth].every((leaseName) => everyone.leases.some((item) => item.name === leaseName)));
      const cleared = await lab.jmp(["delete", "leases", "--client-config", clients.alice, "-a"]);
      assert.equal(cleared.stdout, `lease "${third}" deleted\n`, cleared.stderr);
      assert.equal((await lab.jmp(["delete", "leases", "--client-config", clients.bob, "-a"])).code, 0);
    });

    it("jmp shell acquires, sets the environment, and releases the lease it created", async () => {
      const result = await lab.jmp(["shell", "--client-config", clients.bob, "-l", "board=mock", "--", "sh", "-c", 'j power off && printf "%s\\n" "$JMP_LEASE"']);
      assert.equal(result.code, 0, result.stderr);
      const leaseName = result.stdout.trim();
      assert.match(result.stderr, new RegExp(`Acquired lease ${leaseName} on exporter board-[12]`));
      const ended = await lease(clients.bob, leaseName);
      assert.ok(ended.effectiveEndTime, "released");
      assert.equal(condition(ended, "Ready")?.reason, "Released");
    });

    it("uses the caller's only active lease when no lease is named", async () => {
      const leaseName = await createLease(clients.alice, "board=mock");
      await readyOn(clients.alice, leaseName);
      const picked = await lab.jmp(["shell", "--client-config", clients.alice, "--", "sh", "-c", 'printf "%s\\n" "$JMP_LEASE"']);
      assert.deepEqual([picked.code, picked.stdout], [0, `${leaseName}\n`], picked.stderr);
      assert.equal(condition(await lease(clients.alice, leaseName), "Ready")?.status, "True");
      const other = await createLease(clients.alice, "board=mock");
      const ambiguous = await lab.jmp(["shell", "--client-config", clients.alice, "--", "true"]);
      assert.equal(ambiguous.code, 2);
      assert.match(ambiguous.stderr, new RegExp(`you hold several leases \\(.*${other}.*\\): choose one with --lease NAME`));
      const none = await lab.jmp(["shell", "--client-config", clients.bob, "--", "true"]);
      assert.deepEqual([none.code, none.stderr], [2, "Error: no lease to use: give --selector/-l or --name/-n to request one, or --lease NAME\n"]);
    });

    it("updates a lease, transfers it to another client, and shows it as YAML", async () => {
      const leaseName = await createLease(clients.alice, "board=mock");
      await readyOn(clients.alice, leaseName);
      const longer = jsonOf<{ duration: number; client: string }>(await lab.jmp(["update", "lease", leaseName, "--client-config", clients.alice, "--duration", "20m", "-o", "json"]));
      assert.deepEqual([longer.duration, longer.client], [1200, "alice"]);
      const moved = await lab.jmp(["update", "lease", leaseName, "--client-config", clients.alice, "--to-client", "bob", "-o", "yaml"]);
      assert.equal(moved.code, 0, moved.stderr);
      assert.match(moved.stdout, /^namespace: default\nname: \S+\nselector: board=mock\n/);
      assert.match(moved.stdout, /\nclient: bob\n/);
      const notMine = await lab.jmp(["delete", "leases", "--client-config", clients.alice, leaseName]);
      assert.equal(notMine.code, 1);
      assert.match(notMine.stderr, /permission denied/i);
      assert.equal((await lab.jmp(["delete", "leases", "--client-config", clients.bob, leaseName])).code, 0);
      const again = await lab.jmp(["delete", "leases", "--client-config", clients.bob, leaseName]);
      assert.deepEqual([again.code, again.stderr], [1, `Error: ${leaseName}: lease "${leaseName}" has already been released\n`]);
    });

    it("works from an env-only client config", async () => {
      const config = (await loadClientConfigFile(clients.alice)).config;
      const result = await lab.jmp(["get", "leases", "-a", "-o", "name"], {
        JMP_NAMESPACE: config.metadata.namespace,
        JMP_NAME: config.metadata.name,
        JMP_ENDPOINT: config.endpoint!,
        JMP_TOKEN: config.token!,
        JMP_GRPC_INSECURE: "1",
      });
      assert.equal(result.code, 0, result.stderr);
      const fromFile = await lab.jmp(["get", "leases", "--client-config", clients.alice, "-a", "-o", "name"]);
      assert.notEqual(result.stdout, "");
      assert.equal(result.stdout, fromFile.stdout);
    });

    it("ends an expired lease and hangs up the shell running on it", async () => {
      const result = await lab.jmp(["shell", "--client-config", clients.alice, "-l", "board=mock", "--duration", "3s", "--", "sleep", "120"], {}, 180_000);
      assert.equal(result.code, 129, result.stderr);
      const leaseName = /Acquired lease (\S+)/.exec(result.stderr)![1]!;
      assert.equal(condition(await lease(clients.alice, leaseName), "Ready")?.reason, "Expired");
    });

    it("refuses missing, malformed, forged, expired and wrong-kind tokens", async () => {
      const base = await loadClientConfigFile(clients.alice);
      const claims = parseTokenSubject(JSON.parse(Buffer.from(base.config.token!.split(".")[1]!, "base64url").toString()).sub as string)!;
      const expired = await new TokenIssuer(signingKeyFromSeed(lab.controllerKey), { now: () => new Date(Date.now() - 7_200_000), lifetimeMs: 60_000 }).issue(claims);
      const forged = await new TokenIssuer(signingKeyFromSeed("not-the-controller-key")).issue(claims);
      const exporterToken = (await import("yaml")).parse(await (await import("node:fs/promises")).readFile(exporters.get("board-1")!.file, "utf8")).token as string;
      const withToken = async (label: string, token: string) => {
        const file = join(lab.dir, `token-${label}.yaml`);
        const text = (await (await import("node:fs/promises")).readFile(clients.alice, "utf8")).replace(/^token: .*$/m, `token: ${token}`);
        await writeFile(file, text, { mode: 0o600 });
        return lab.jmp(["get", "leases", "--client-config", file]);
      };
      const cases: Array<[string, string, RegExp]> = [
        ["garbage", "not-a-jwt", /^Error: .+\n$/],
        ["forged", forged.token, /^Error: .+\n$/],
        ["expired", expired.token, /token is expired/],
        ["exporter", exporterToken, /permission denied/],
      ];
      for (const [label, token, pattern] of cases) {
        const result = await withToken(label, token);
        assert.equal(result.code, 1, `${label}: ${result.stderr}`);
        assert.match(result.stderr, pattern, label);
      }
      const missing = await withToken("missing", "");
      assert.deepEqual([missing.code, missing.stderr.startsWith("Error: ")], [1, true]);

      const misused = join(lab.dir, "exporter-with-client-token.yaml");
      const exporterText = await (await import("node:fs/promises")).readFile(exporters.get("board-2")!.file, "utf8");
      await writeFile(misused, exporterText.replace(/^token: .*$/m, `token: ${base.config.token}`), { mode: 0o600 });
      const refused = await lab.jmp(["run", "--exporter-config", misused]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /permission denied/);
    });

    it("refuses to dial a lease held by another client", async () => {
      const leaseName = await createLease(clients.alice, "board=mock");
      try {
        await readyOn(clients.alice, leaseName);
        const bob = await session(clients.bob);
        await assert.rejects(bob.dial(leaseName), { message: /permission denied/ });
        const foreign = await lab.jmp(["shell", "--client-config", clients.bob, "--lease", leaseName, "--", "true"]);
        assert.deepEqual([foreign.code, foreign.stderr], [1, `Error: lease ${leaseName} belongs to client alice, not bob\n`]);
      } finally {
        await lab.jmp(["delete", "leases", "--client-config", clients.alice, leaseName]);
      }
    });

    it("reports selector syntax errors", async () => {
      const cases: Array<[string, RegExp]> = [
        ["board==mock", /^Error: unsupported label selector operator: ==\n$/],
        ["board>1", /^Error: unsupported label selector operator: gt\n$/],
        ["board in mock", /^Error: unable to parse requirement: .+\n$/],
      ];
      for (const [selector, pattern] of cases) {
        const result = await lab.jmp(["create", "lease", "--client-config", clients.alice, "-l", selector, "--duration", "1m"]);
        assert.equal(result.code, 1, `${selector}: ${result.stdout}`);
        assert.match(result.stderr, pattern, selector);
      }
      const noTarget = await lab.jmp(["create", "lease", "--client-config", clients.alice, "--duration", "1m"]);
      assert.deepEqual([noTarget.code, noTarget.stderr], [2, "Error: one of -l/--selector or -n/--name is required\n"]);
    });

    it("gives the client a clear error when its exporter is killed mid-lease", async () => {
      const file = await lab.createExporter("doomed", { labels: { board: "doomed" }, export: mockDevices });
      const doomed = await lab.startExporter(file);
      const { shell, release } = await lab.holdShell(clients.alice, "board=doomed");
      doomed.child.kill("SIGKILL");
      await doomed.exited;
      await release();
      const result = await shell.exited;
      assert.match(result.stdout, /second=1/);
      assert.match(result.stderr, /Error: cannot reach the exporter of lease \S+: .+/);
    });

    it("keeps leases and reconnects exporters and clients across a controller restart", async () => {
      const { shell, release } = await lab.holdShell(clients.bob, "board=mock", "j shell hello");
      const leaseName = /Acquired lease (\S+)/.exec(shell.stderr())![1]!;
      await lab.stopController();
      await lab.startController();
      assert.equal(condition(await lease(clients.bob, leaseName), "Ready")?.status, "True", "the lease survived");
      await release();
      const result = await shell.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "first=0\nsecond=0\nhello-from-shell\n");
      await eventually(async () => {
        const list = jsonOf<{ exporters: Array<{ online: boolean; status: number }> }>(
          await lab.jmp(["get", "exporters", "--client-config", clients.alice, "-l", "site=lab", "--with", "online,status", "-o", "json"]),
        );
        return list.exporters.every((item) => item.online && item.status === ExporterStatus.AVAILABLE) ? true : undefined;
      }, "the exporters back online and available");
      for (const [exporter, { process }] of exporters) assert.equal(process.child.exitCode, null, `${exporter} kept running`);
    });

    it("stops after the current lease on SIGHUP", async () => {
      const file = await lab.createExporter("hangup", { labels: { board: "hangup" }, export: mockDevices });
      const exporter = await lab.startExporter(file);
      const { shell, release } = await lab.holdShell(clients.alice, "board=hangup");
      exporter.child.kill("SIGHUP");
      await exporter.waitFor(/received SIGHUP/, 30_000);
      await release();
      const result = await shell.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /second=0/, "the lease is still served after SIGHUP");
      const stopped = await exporter.exited;
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /unregistered/);
    });

    it("runs hooks around a lease and stops after it with --exit-on-lease-end", async () => {
      const file = await lab.createExporter("hooked", {
        labels: { board: "hooked" },
        export: mockDevices,
        hooks: {
          beforeLease: { script: 'echo "before $LEASE_NAME for $CLIENT_NAME"; j power on' },
          afterLease: { script: 'echo "after $LEASE_NAME for $CLIENT_NAME"; j power off' },
        },
      });
      const hooked = await lab.startExporter(file, ["--exit-on-lease-end"]);
      const result = await lab.jmp(["shell", "--client-config", clients.alice, "-l", "board=hooked", "--", "j", "power", "read", "-n", "1"]);
      assert.equal(result.code, 0, result.stderr);
      const leaseName = /Acquired lease (\S+)/.exec(result.stderr)![1]!;
      assert.match(result.stderr, new RegExp(`after ${leaseName} for alice`));
      const exited = await hooked.exited;
      assert.equal(exited.code, 0, exited.stderr);
      assert.match(exited.stderr, new RegExp(`before ${leaseName} for alice`));
      assert.match(exited.stderr, /unregistered/);
      const listed = jsonOf<{ exporters: Array<{ name: string; status: number }> }>(
        await lab.jmp(["get", "exporters", "--client-config", clients.alice, "-l", "board=hooked", "--with", "status", "-o", "json"]),
      );
      assert.deepEqual(listed.exporters.map((item) => [item.name, item.status]), [["hooked", ExporterStatus.OFFLINE]]);
    });
  });
}
