import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { toBinary } from "@bufbuild/protobuf";
import type { LogStreamResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { GetStatusResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ExporterConnection } from "../client/connection.js";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { fromValue, toValues } from "../codec.js";
import { Code, ExporterNotReadyError, InvalidArgumentError } from "../errors.js";
import { RawSessionClient } from "../testing/raw-client.js";
import { decodeVectorMessage, loadVector, vectorBytes, vectorCalls } from "../testing/vectors.js";
import { eventually, within } from "../testing/wait.js";
import { LogSource } from "./log-bus.js";
import { listenSession } from "./server.js";
import type { SessionOptions } from "./session.js";
import { ExporterSession } from "./session.js";
import { ExporterStatus, StatusMachine } from "./status.js";

class Worker extends Driver {
  client() {
    return "test.WorkerClient";
  }
  @exportMethod
  work(label: string) {
    this.logger.info(`working on ${label}`);
    this.logger.log("WARNING", "with fields", { board: "rpi4" });
    return label.length;
  }
  @exportMethod
  reject() {
    throw new InvalidArgumentError("voltage out of range");
  }
  @exportMethod
  async *count() {
    yield 1;
  }
  @exportstream
  async connect() {
    return new PassThrough();
  }
}

/** A session built by hand (status AVAILABLE, as an exporter before a lease) on a temp unix socket. */
async function listen(options: Partial<SessionOptions> = {}) {
  const directory = await mkdtemp(join(tmpdir(), "jumpstarter-status-"));
  const driver = new Worker();
  const session = new ExporterSession({ root: driver, ...options });
  const server = await listenSession(session, { address: join(directory, "socket") });
  const connection = new ExporterConnection({ address: server.address });
  return {
    driver,
    session,
    connection,
    address: server.address,
    [Symbol.asyncDispose]: async () => {
      connection.close();
      await session.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

describe("status gating and GetStatus", () => {
  it("refuses driver calls until the exporter is ready, with FAILED_PRECONDITION", async () => {
    await using target = await listen();
    const { connection, driver, session } = target;
    const report = await connection.getReport();
    assert.equal(report.reports[0]!.uuid, driver.uuid, "GetReport is served in any status");
    const expected = "Exporter not ready for driver calls (status: EXPORTER_STATUS_AVAILABLE)";
    await assert.rejects(connection.driverCall(driver.uuid, "work", []), (error: unknown) => {
      assert.ok(error instanceof ExporterNotReadyError);
      assert.equal(error.code, Code.FAILED_PRECONDITION);
      assert.equal(error.message, `DriverCall 'work' failed with gRPC FAILED_PRECONDITION: ${expected}`);
      return true;
    });
    await assert.rejects(
      (async () => {
        for await (const _ of connection.streamingDriverCall(driver.uuid, "count", [])) assert.fail("no value expected");
      })(),
      { code: Code.FAILED_PRECONDITION, message: expected },
    );
    await assert.rejects(connection.openStream({ kind: "driver", uuid: driver.uuid, method: "connect" }), {
      code: Code.FAILED_PRECONDITION,
      message: expected,
    });
    for (const status of [ExporterStatus.BEFORE_LEASE_HOOK, ExporterStatus.LEASE_READY, ExporterStatus.AFTER_LEASE_HOOK]) {
      session.status.set(status);
      assert.ok(await connection.driverCall(driver.uuid, "work", toValues(["x"])), `served in ${ExporterStatus[status]}`);
    }
    for (const status of [ExporterStatus.BEFORE_LEASE_HOOK_FAILED, ExporterStatus.OFFLINE, ExporterStatus.AVAILABLE]) {
      session.status.set(status);
      await assert.rejects(connection.driverCall(driver.uuid, "work", toValues(["x"])), {
        code: Code.FAILED_PRECONDITION,
        message: new RegExp(`\\(status: EXPORTER_STATUS_${ExporterStatus[status]}\\)$`),
      });
    }
  });

  it("reports status, message, version and previous status like the reference", async () => {
    await using target = await listen();
    const { connection, session } = target;
    const initial = await connection.getStatus();
    assert.equal(initial.status, ExporterStatus.AVAILABLE);
    assert.equal(initial.statusVersion, 0n);
    assert.equal(initial.previousStatus, undefined, "no previous status before the first change");
    session.status.set(ExporterStatus.LEASE_READY, "");
    const ready = await connection.getStatus();
    const reference = vectorCalls(loadVector("get_status"), "GetStatus")[0]!.responses[0]!;
    assert.deepEqual(toBinary(GetStatusResponseSchema, ready), vectorBytes(reference), "byte-identical to the reference answer");
    assert.deepEqual(ready, decodeVectorMessage(GetStatusResponseSchema, reference));
    session.status.set(ExporterStatus.AFTER_LEASE_HOOK, "Running afterLease hooks");
    const after = await connection.getStatus();
    assert.deepEqual([after.status, after.message, after.statusVersion, after.previousStatus], [
      ExporterStatus.AFTER_LEASE_HOOK,
      "Running afterLease hooks",
      2n,
      ExporterStatus.LEASE_READY,
    ]);
  });

  it("starts from a given status machine", async () => {
    await using target = await listen({ status: new StatusMachine(ExporterStatus.LEASE_READY, "Ready for commands") });
    const status = await target.connection.getStatus();
    assert.deepEqual([status.status, status.message, status.statusVersion], [ExporterStatus.LEASE_READY, "Ready for commands", 0n]);
  });

  it("answers EndSession without a lease context, and through onEndSession with one", async () => {
    await using bare = await listen();
    const answer = await bare.connection.endSession();
    assert.deepEqual([answer.success, answer.message], [false, "No active lease context"]);
    let ended = 0;
    await using leased = await listen({
      onEndSession: () => {
        ended++;
        return { success: true, message: "Session end triggered, afterLease hook running asynchronously" };
      },
    });
    const triggered = await leased.connection.endSession();
    assert.deepEqual([triggered.success, triggered.message, ended], [true, "Session end triggered, afterLease hook running asynchronously", 1]);
  });

  it("answers Reset with UNIMPLEMENTED", async () => {
    await using target = await listen();
    const raw = new RawSessionClient(target.address);
    try {
      const outcome = await raw.unary("reset", {});
      assert.equal(outcome.code, Code.UNIMPLEMENTED);
    } finally {
      raw.close();
    }
  });
});

describe("LogStream", () => {
  it("delivers driver log records and operation records while subscribed", async () => {
    await using target = await listen({ status: new StatusMachine(ExporterStatus.LEASE_READY) });
    const { connection, driver, session } = target;
    const records: LogStreamResponse[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const record of connection.logStream({ signal: controller.signal })) records.push(record);
    })();
    await eventually(() => session.logs.active, "the LogStream subscription");
    assert.equal(fromValue(await connection.driverCall(driver.uuid, "work", toValues(["flash"]))), 5);
    await assert.rejects(connection.driverCall(driver.uuid, "reject", []), { code: Code.INVALID_ARGUMENT });
    await eventually(() => records.length >= 6, "six log records");
    controller.abort();
    await within(reading, "the LogStream to end");
    const summary = records.map((r) => [r.severity, r.message, r.source, r.driverType, r.operation ?? "", { ...r.structuredFields }]);
    assert.deepEqual(summary, [
      ["DEBUG", "Operation started", LogSource.DRIVER, "Worker", "work", {}],
      ["INFO", "working on flash", LogSource.DRIVER, "Worker", "", {}],
      ["WARNING", "with fields", LogSource.DRIVER, "Worker", "", { board: "rpi4" }],
      ["DEBUG", "Operation completed", LogSource.DRIVER, "Worker", "work", { result: "success" }],
      ["DEBUG", "Operation started", LogSource.DRIVER, "Worker", "reject", {}],
      ["ERROR", "Operation failed", LogSource.DRIVER, "Worker", "reject", { result: "failure", error_type: "validation_error" }],
    ]);
    for (const record of records) {
      assert.equal(record.uuid, "");
      assert.ok(record.timestamp && Math.abs(Number(record.timestamp.seconds) * 1000 - Date.now()) < 3_600_000);
    }
    await eventually(() => !session.logs.active, "the subscription to end after the client left");
  });

  it("ends log streams when the session closes", async () => {
    const target = await listen();
    const records: LogStreamResponse[] = [];
    const reading = (async () => {
      for await (const record of target.connection.logStream()) records.push(record);
    })();
    await eventually(() => target.session.logs.active, "the LogStream subscription");
    await target.session.close();
    await within(reading, "the LogStream to end");
    assert.equal(target.session.logs.active, false);
    await target[Symbol.asyncDispose]();
  });
});
