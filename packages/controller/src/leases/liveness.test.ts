import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exporterRecord } from "./fixtures.js";
import { CONNECTION_LOST_MESSAGE, exporterLiveness } from "./liveness.js";

const now = new Date("2030-06-01T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("exporterLiveness", () => {
  it("is online with a recent heartbeat and keeps the reported status", () => {
    const liveness = exporterLiveness(exporterRecord("e", {}, now, { lastSeen: ago(59_000), status: "LeaseReady", statusMessage: "hi" }), now);
    assert.deepEqual(liveness, { online: true, registered: true, status: "LeaseReady", statusMessage: "hi" });
  });

  it("is offline when never seen", () => {
    const liveness = exporterLiveness(exporterRecord("e", {}, now, { lastSeen: null }), now);
    assert.equal(liveness.online, false);
    assert.equal(liveness.reason, "Never seen");
  });

  it("forces Offline with the connection-lost message after a minute of silence", () => {
    const liveness = exporterLiveness(exporterRecord("e", {}, now, { lastSeen: ago(60_001), status: "Available" }), now);
    assert.equal(liveness.online, false);
    assert.equal(liveness.status, "Offline");
    assert.equal(liveness.statusMessage, "Connection lost - last seen more than 1 minute ago");
    assert.equal(liveness.reason, CONNECTION_LOST_MESSAGE);
  });

  it("is still online at exactly one minute", () => {
    assert.equal(exporterLiveness(exporterRecord("e", {}, now, { lastSeen: ago(60_000) }), now).online, true);
  });

  it("is offline when the exporter reports Offline", () => {
    const liveness = exporterLiveness(exporterRecord("e", {}, now, { status: "Offline", statusMessage: "Exporter unregistered" }), now);
    assert.equal(liveness.online, false);
    assert.equal(liveness.reason, "Exporter unregistered");
  });

  it("is not registered without devices", () => {
    assert.equal(exporterLiveness(exporterRecord("e", {}, now, { devices: null }), now).registered, false);
  });
});
