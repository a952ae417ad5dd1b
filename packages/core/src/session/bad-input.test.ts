import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import type { DriverCallResponse, StreamingDriverCallResponse } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { DriverCallRequestSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { fromValue, toValues } from "../codec.js";
import { exportMethod, exportstream } from "../driver/decorators.js";
import { Driver } from "../driver/driver.js";
import { Code } from "../errors.js";
import { RawSessionClient } from "../testing/raw-client.js";
import type { Served } from "../testing/serve.js";
import { serve } from "../testing/serve.js";
import { loadVector, vectorCalls } from "../testing/vectors.js";
import type { DriverClient } from "../client/driver-client.js";

/** Named like the reference's mock so the TypeError texts match the vectors word for word. */
class MockPower extends Driver {
  closed = 0;
  client() {
    return "jumpstarter_driver_power.client.PowerClient";
  }
  @exportMethod
  on() {
    return null;
  }
  @exportMethod
  add(a: number, b = 1) {
    return a + b;
  }
  @exportMethod
  three(a: unknown, b: unknown, c: unknown) {
    return [a, b, c];
  }
  @exportMethod
  async *read() {
    yield { voltage: 0, current: 0 };
  }
  @exportMethod
  _secret() {
    return "must not be reachable";
  }
  @exportstream
  async connect(): Promise<Duplex> {
    return new PassThrough();
  }
  get exploding(): never {
    throw new Error("a lookup must not run getters");
  }
  helper() {
    return "not exported";
  }
  override async close() {
    this.closed++;
    await super.close();
  }
}

/** The failed statuses the reference gave in vector `name`, in order. */
function vectorFailures(name: string, rpc: string): Array<{ code: string; details: string }> {
  return vectorCalls(loadVector(name), rpc)
    .filter((c) => c.status_code !== "OK")
    .map((c) => ({ code: c.status_code, details: c.status_details }));
}
const vectorDetails = (name: string, rpc: string) => vectorFailures(name, rpc)[0]!;

describe("bad input through a real session", () => {
  let served: Served<DriverClient>;
  let driver: MockPower;
  let raw: RawSessionClient;

  before(async () => {
    driver = new MockPower();
    served = await serve(driver);
    raw = new RawSessionClient(served.server.address);
  });
  after(async () => {
    raw.close();
    await served.close();
  });

  const driverCall = (uuid: string, method: string, args: unknown[] = []) =>
    raw.unary<DriverCallResponse>("driverCall", create(DriverCallRequestSchema, { uuid, method, args: toValues(args) }));
  const streamingCall = (uuid: string, method: string, args: unknown[] = []) =>
    raw.serverStream<StreamingDriverCallResponse>("streamingDriverCall", { uuid, method, args: toValues(args) });

  async function stillServes(): Promise<void> {
    const outcome = await driverCall(driver.uuid, "add", [2, 3]);
    assert.equal(outcome.code, Code.OK);
    assert.equal(fromValue(outcome.responses[0]!.result), 5);
  }

  it("fails an unknown driver uuid with the reference's KeyError text", async () => {
    const uuid = randomUUID();
    const outcome = await driverCall(uuid, "on");
    assert.equal(outcome.code, Code.UNKNOWN);
    assert.equal(outcome.details, `Unexpected <class 'KeyError'>: UUID('${uuid}')`);
    const reference = vectorFailures("error_private_method_and_unknown_uuid", "DriverCall").find((f) => f.code === "UNKNOWN")!;
    const other = reference.details.match(/UUID\('(.*)'\)/)![1]!;
    assert.equal((await driverCall(other, "on")).details, reference.details);
    assert.equal(Code[outcome.code], reference.code);
    await stillServes();
  });

  it("routes uuids spelled any way Python's UUID() accepts, and fails malformed ones with ValueError", async () => {
    for (const spelling of [driver.uuid.toUpperCase(), `{${driver.uuid}}`, driver.uuid.replaceAll("-", ""), `urn:uuid:${driver.uuid}`]) {
      assert.equal((await driverCall(spelling, "on")).code, Code.OK, spelling);
    }
    const malformed = await driverCall("not-a-uuid", "on");
    assert.deepEqual([malformed.code, malformed.details], [Code.UNKNOWN, "Unexpected <class 'ValueError'>: badly formed hexadecimal UUID string"]);
    const nonHex = await driverCall("z".repeat(32), "on");
    assert.equal(nonHex.code, Code.UNKNOWN);
    assert.match(nonHex.details, /^Unexpected <class 'ValueError'>: invalid literal for int\(\) with base 16/);
    assert.equal((await driverCall("", "on")).code, Code.UNKNOWN);
    await stillServes();
  });

  it("fails unknown and private methods with NOT_FOUND 'not found on driver'", async () => {
    const unknown = await driverCall(driver.uuid, "no_such_method");
    assert.deepEqual({ code: Code[unknown.code], details: unknown.details }, vectorDetails("error_method_not_found", "DriverCall"));
    const privateCall = await driverCall(driver.uuid, "_DriverCall");
    assert.deepEqual({ code: Code[privateCall.code], details: privateCall.details }, vectorDetails("error_private_method_and_unknown_uuid", "DriverCall"));
    for (const name of ["_secret", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      const outcome = await driverCall(driver.uuid, name);
      assert.deepEqual([outcome.code, outcome.details], [Code.NOT_FOUND, `method ${name} not found on driver`], name);
    }
    await stillServes();
  });

  it("never calls undecorated members (close, helpers, fields, getters)", async () => {
    for (const name of ["close", "helper", "report", "enumerate", "resource", "uuid", "resources", "exploding", "client"]) {
      const outcome = await driverCall(driver.uuid, name);
      assert.deepEqual([outcome.code, outcome.details], [Code.NOT_FOUND, `method ${name} missing marker marker_drivercall`], name);
    }
    assert.equal(driver.closed, 0);
    await stillServes();
  });

  it("refuses unary calls to streaming methods and the reverse with the reference's marker texts", async () => {
    const unaryToStreaming = await driverCall(driver.uuid, "read");
    assert.deepEqual({ code: Code[unaryToStreaming.code], details: unaryToStreaming.details }, vectorDetails("error_streaming_method_via_unary", "DriverCall"));
    const streamingToUnary = await streamingCall(driver.uuid, "on");
    assert.deepEqual(
      { code: Code[streamingToUnary.code], details: streamingToUnary.details },
      vectorDetails("error_unary_method_via_streaming", "StreamingDriverCall"),
    );
    assert.deepEqual(streamingToUnary.responses, []);
    const unaryToStream = await driverCall(driver.uuid, "connect");
    assert.equal(unaryToStream.details, "method connect missing marker marker_drivercall");
    await stillServes();
  });

  it("fails wrong argument counts with Python's TypeError wording (UNKNOWN)", async () => {
    const tooMany = await driverCall(driver.uuid, "on", [1, "x"]);
    assert.deepEqual({ code: Code[tooMany.code], details: tooMany.details }, vectorDetails("error_wrong_args", "DriverCall"));
    const range = await driverCall(driver.uuid, "add", [1, 2, 3]);
    assert.equal(range.details, "MockPower.add() takes from 2 to 3 positional arguments but 4 were given");
    const missing = await driverCall(driver.uuid, "add");
    assert.deepEqual([missing.code, missing.details], [Code.UNKNOWN, "MockPower.add() missing 1 required positional argument: 'a'"]);
    const missingMany = await driverCall(driver.uuid, "three", [1]);
    assert.equal(missingMany.details, "MockPower.three() missing 2 required positional arguments: 'b' and 'c'");
    const missingAll = await driverCall(driver.uuid, "three");
    assert.equal(missingAll.details, "MockPower.three() missing 3 required positional arguments: 'a', 'b', and 'c'");
    const streamingArgs = await streamingCall(driver.uuid, "read", [1]);
    assert.deepEqual([streamingArgs.code, streamingArgs.details], [Code.UNKNOWN, "MockPower.read() takes 1 positional argument but 2 were given"]);
    await stillServes();
  });

  it("fails RouterService.Stream requests with missing, non-JSON or unknown-kind metadata (UNKNOWN)", async () => {
    const missing = await raw.streamOutcome({});
    assert.deepEqual([missing.code, missing.details], [Code.UNKNOWN, "Unexpected <class 'KeyError'>: 'request'"]);
    const notJson = await raw.streamOutcome({ request: "{kind: driver" });
    assert.equal(notJson.code, Code.UNKNOWN);
    assert.match(notJson.details, /^Unexpected <class 'ValueError'>: 'request' metadata is not valid JSON/);
    const unknownKind = await raw.streamOutcome({ request: JSON.stringify({ kind: "telepathy", uuid: driver.uuid }) });
    assert.equal(unknownKind.code, Code.UNKNOWN);
    assert.match(unknownKind.details, /unknown stream request kind "telepathy"/);
    const noUuid = await raw.streamOutcome({ request: JSON.stringify({ kind: "driver", method: "connect" }) });
    assert.equal(noUuid.code, Code.UNKNOWN);
    const unknownUuid = randomUUID();
    const stranger = await raw.streamOutcome({ request: JSON.stringify({ kind: "driver", uuid: unknownUuid, method: "connect" }) });
    assert.deepEqual([stranger.code, stranger.details], [Code.UNKNOWN, `Unexpected <class 'KeyError'>: UUID('${unknownUuid}')`]);
    for (const outcome of [missing, notJson, unknownKind, noUuid, stranger]) assert.deepEqual(outcome.responses, []);
    await stillServes();
  });

  it("refuses streams to methods that are not @exportstream", async () => {
    const request = (method: string) => ({ request: JSON.stringify({ kind: "driver", uuid: driver.uuid, method }) });
    const unary = await raw.streamOutcome(request("add"));
    assert.deepEqual([unary.code, unary.details], [Code.NOT_FOUND, "method add missing marker marker_streamcall"]);
    const missing = await raw.streamOutcome(request("nothing"));
    assert.deepEqual([missing.code, missing.details], [Code.NOT_FOUND, "method nothing not found on driver"]);
    const privateStream = await raw.streamOutcome(request("_secret"));
    assert.equal(privateStream.code, Code.NOT_FOUND);
    await stillServes();
  });

  it("still serves the typed client after all of that", async () => {
    assert.equal(await served.client.call("add", [40, 2]), 42);
    const readings: unknown[] = [];
    for await (const reading of served.client.streamingCall("read")) readings.push(reading);
    assert.deepEqual(readings, [{ voltage: 0, current: 0 }]);
  });
});
