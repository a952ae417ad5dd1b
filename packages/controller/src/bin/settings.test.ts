import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseControllerConfig } from "./config-file.js";
import { parseDuration } from "./durations.js";
import { advertisedFor, withPort } from "./endpoints.js";
import { defaultDatabase, stateDirFor } from "./paths.js";
import { chooseRouter, routerScore } from "../service/routers.js";
import type { RouterEntry } from "../service/routers.js";

describe("controller settings", () => {
  it("reads the router map and the config block, refusing unknown keys", () => {
    const config = parseControllerConfig(`
router:
  default:
    endpoint: router.lab:8083
  east:
    endpoint: east.lab:8083
    labels: {site: east}
config: |
  authentication:
    internal: {prefix: "lab:", tokenLifetime: 720h}
  leasePolicy: {maxTags: 3}
  hiddenLabels: {keys: [secret]}
  deprecatedLabels: {keys: {board: use board-type}}
`);
    assert.deepEqual(config.routers, [
      { name: "default", endpoint: "router.lab:8083", labels: {} },
      { name: "east", endpoint: "east.lab:8083", labels: { site: "east" } },
    ]);
    assert.equal(config.internalPrefix, "lab:");
    assert.equal(config.tokenLifetimeMs, 720 * 3_600_000);
    assert.equal(config.maxTags, 3);
    assert.deepEqual(config.hiddenLabels, ["secret"]);
    assert.deepEqual(config.deprecatedLabels, { board: "use board-type" });
    assert.throws(() => parseControllerConfig("routers: {}"), /invalid controller config/);
    assert.throws(() => parseControllerConfig("config: {grpc: {}}"), /invalid controller config/);
    assert.throws(() => parseControllerConfig("router: {a: {labels: {}}}"), /invalid router config/);
  });

  it("scores routers as the reference does: −1 when any exporter label is missing, else the matches", () => {
    assert.equal(routerScore({ site: "a", rack: "1" }, { site: "a" }), 1);
    assert.equal(routerScore({ site: "a" }, { site: "a", rack: "1" }), -1);
    assert.equal(routerScore({}, {}), 0);
    const routers: RouterEntry[] = [
      { name: "b", endpoint: "b:1", labels: {} },
      { name: "a", endpoint: "a:1", labels: {} },
      { name: "east", endpoint: "e:1", labels: { site: "east" } },
    ];
    assert.equal(chooseRouter(routers, { site: "east" })?.name, "east");
    assert.equal(chooseRouter(routers, { site: "west" })?.name, "a", "ties go to the first name");
    assert.equal(chooseRouter([], {}), undefined);
  });

  it("parses Go durations", () => {
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("8760h"), 8760 * 3_600_000);
    assert.throws(() => parseDuration("10 days"), /invalid duration/);
  });

  it("advertises localhost for wildcard listeners and keeps the state next to the database", () => {
    assert.equal(advertisedFor("0.0.0.0:8082"), "localhost:8082");
    assert.equal(advertisedFor("10.0.0.5:8082"), "10.0.0.5:8082");
    assert.equal(withPort("ctl.lab:8082", "8083"), "ctl.lab:8083");
    assert.equal(withPort("[::1]:8082", "8083"), "[::1]:8083");
    assert.equal(defaultDatabase({ XDG_STATE_HOME: "/var/state" }), "/var/state/jumpstarter/controller.db");
    assert.equal(stateDirFor("/srv/jmp/c.db"), "/srv/jmp");
    assert.equal(stateDirFor("postgres://db/jmp", { XDG_STATE_HOME: "/s" }), "/s/jumpstarter");
  });
});
