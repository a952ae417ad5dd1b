import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import type { DescMessage } from "@bufbuild/protobuf";
import { create, toBinary } from "@bufbuild/protobuf";
import type { Value } from "@bufbuild/protobuf/wkt";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  DriverCallRequestSchema,
  DriverCallResponseSchema,
  StreamingDriverCallRequestSchema,
  StreamingDriverCallResponseSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { WireValue } from "./codec.js";
import { fromValue, toValue, toValues } from "./codec.js";
import { Code, InvalidArgumentError } from "./errors.js";
import type { VectorMessage } from "./testing/vectors.js";
import { decodeVectorMessage, loadVector, vectorBytes, vectorsDirectory } from "./testing/vectors.js";

const roundTrip = (value: unknown): WireValue => fromValue(toValue(value));
const kind = (value: unknown): Value["kind"]["case"] => toValue(value).kind.case;

describe("toValue / fromValue", () => {
  it("sends every number as a double and non-finite numbers as null", () => {
    assert.deepEqual(toValue(5).kind, { case: "numberValue", value: 5 });
    assert.equal(roundTrip(5), 5);
    assert.equal(roundTrip(0.1), 0.1);
    assert.equal(roundTrip(-2.5e300), -2.5e300);
    assert.equal(kind(Number.NaN), "nullValue");
    assert.equal(kind(Number.POSITIVE_INFINITY), "nullValue");
    assert.equal(kind(Number.NEGATIVE_INFINITY), "nullValue");
    assert.deepEqual(roundTrip([1, Number.NaN, Infinity]), [1, null, null]);
  });

  it("checks booleans apart from numbers", () => {
    assert.deepEqual(toValue(true).kind, { case: "boolValue", value: true });
    assert.deepEqual(toValue(false).kind, { case: "boolValue", value: false });
    assert.equal(roundTrip(false), false);
  });

  it("turns bigints into doubles, losing precision beyond 2^53 like the reference", () => {
    assert.equal(roundTrip(42n), 42);
    assert.equal(roundTrip(2n ** 60n + 1n), 2 ** 60);
    assert.equal(kind(10n ** 400n), "nullValue");
  });

  it("sends bytes as UTF-8 text and refuses non-UTF-8 bytes", () => {
    assert.equal(roundTrip(Buffer.from("héllo ✓")), "héllo ✓");
    assert.equal(roundTrip(new Uint8Array([0x61, 0x62])), "ab");
    assert.equal(roundTrip(new TextEncoder().encode("xyz").buffer), "xyz");
    assert.equal(roundTrip(Buffer.from([0xef, 0xbb, 0xbf, 0x61])), "\ufeffa", "a byte order mark is data, not stripped");
    const pooled = Buffer.from("0123456789").subarray(3, 6);
    assert.equal(roundTrip(pooled), "345", "only the view's bytes are sent");
    assert.throws(() => toValue(Buffer.from([0xff, 0xfe, 0x00])), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.message, /UTF-8/);
      return true;
    });
    assert.throws(() => toValue({ nested: [Buffer.from([0xc3])] }), InvalidArgumentError);
  });

  it("sends dates as ISO-8601 strings and refuses invalid dates", () => {
    assert.equal(roundTrip(new Date(Date.UTC(2026, 10, 21, 8, 30, 0, 5))), "2026-11-21T08:30:00.005Z");
    assert.throws(() => toValue(new Date(Number.NaN)), InvalidArgumentError);
  });

  it("keeps nested objects and arrays", () => {
    const value = { a: [1, "x", null, true, { b: { c: [[], {}] } }], d: "", e: 0 };
    assert.deepEqual(roundTrip(value), value);
    const encoded = toValue(value);
    assert.equal(encoded.kind.case, "structValue");
    assert.deepEqual(Object.keys(encoded.kind.case === "structValue" ? encoded.kind.value.fields : {}), ["a", "d", "e"]);
  });

  it("drops undefined, functions and symbols inside objects and sends top-level undefined as null", () => {
    assert.deepEqual(roundTrip({ a: 1, b: undefined, f: () => 1, s: Symbol("x") }), { a: 1 });
    assert.equal(kind(undefined), "nullValue");
    assert.equal(kind(null), "nullValue");
    assert.deepEqual(roundTrip([undefined]), [null]);
    assert.throws(() => toValue(() => 1), InvalidArgumentError);
    assert.throws(() => toValue(Symbol("x")), InvalidArgumentError);
  });

  it("sends Maps as objects (keys as text) and Sets and typed arrays as lists", () => {
    assert.deepEqual(roundTrip(new Map<unknown, unknown>([["a", 1], [2, "two"], [true, [3]]])), { a: 1, "2": "two", true: [3] });
    assert.deepEqual(roundTrip(new Set([1, "x", 1])), [1, "x"]);
    assert.deepEqual(roundTrip(new Float64Array([0.5, 2])), [0.5, 2]);
    assert.deepEqual(roundTrip(new BigInt64Array([7n])), [7]);
    assert.throws(() => toValue(new Map([[{}, 1]])), InvalidArgumentError);
  });

  it("uses toJSON, including one that returns its own object", () => {
    class Reading {
      constructor(readonly voltage: number, readonly current: number) {}
      toJSON() {
        return { voltage: this.voltage, current: this.current, kind: "reading" };
      }
    }
    assert.deepEqual(roundTrip(new Reading(5, 2)), { voltage: 5, current: 2, kind: "reading" });
    assert.deepEqual(roundTrip({ at: { toJSON: () => "later" } }), { at: "later" });
    const selfish = {
      x: 1,
      toJSON() {
        return this;
      },
    };
    assert.deepEqual(roundTrip(selfish), { x: 1 });
  });

  it("sends class instances as their own enumerable fields", () => {
    class Point {
      readonly x = 1;
      readonly y = 2;
      get sum() {
        return this.x + this.y;
      }
    }
    assert.deepEqual(roundTrip(new Point()), { x: 1, y: 2 });
  });

  it("rejects cycles but accepts a value shared by two branches", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop["self"] = loop;
    assert.throws(() => toValue(loop), (error: unknown) => error instanceof InvalidArgumentError && /cyclic/.test(error.message));
    const list: unknown[] = [];
    list.push([list]);
    assert.throws(() => toValue(list), InvalidArgumentError);
    const shared = { n: 1 };
    assert.deepEqual(roundTrip({ a: shared, b: [shared, shared] }), { a: { n: 1 }, b: [{ n: 1 }, { n: 1 }] });
  });

  it("keeps a __proto__ key as an ordinary field in both directions", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const decoded = roundTrip(value) as Record<string, unknown>;
    assert.deepEqual(Object.keys(decoded), ["__proto__", "a"]);
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, { polluted: true });
  });

  it("decodes an unset value as null and encodes positional args in order", () => {
    assert.equal(fromValue(undefined), null);
    assert.equal(fromValue(create(ValueSchema)), null);
    assert.deepEqual(toValues([1, "x", null]).map(fromValue), [1, "x", null]);
  });
});

type Shape = "request" | "response";
const schemas: Record<string, Record<Shape, DescMessage>> = {
  "/jumpstarter.v1.ExporterService/DriverCall": { request: DriverCallRequestSchema, response: DriverCallResponseSchema },
  "/jumpstarter.v1.ExporterService/StreamingDriverCall": {
    request: StreamingDriverCallRequestSchema,
    response: StreamingDriverCallResponseSchema,
  },
};

/** Whether the protobuf bytes of `value` do not depend on key order (no object has two keys). */
function orderFree(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(orderFree);
  if (value !== null && typeof value === "object") {
    const entries = Object.values(value);
    return entries.length <= 1 && entries.every(orderFree);
  }
  return true;
}

function checkMessage(schema: DescMessage, shape: Shape, message: VectorMessage): void {
  const json = message.json;
  if (shape === "request") {
    const decoded = decodeVectorMessage(schema as typeof DriverCallRequestSchema, message);
    const args = (json["args"] as WireValue[] | undefined) ?? [];
    assert.equal(decoded.uuid, json["uuid"]);
    assert.equal(decoded.method, json["method"]);
    assert.deepEqual(decoded.args.map(fromValue), args);
    const ours = create(DriverCallRequestSchema, { uuid: decoded.uuid, method: decoded.method, args: toValues(args) });
    assert.deepEqual(toBinary(DriverCallRequestSchema, ours), vectorBytes(message), "request bytes re-encode exactly");
    return;
  }
  const decoded = decodeVectorMessage(schema as typeof DriverCallResponseSchema, message);
  const result = fromValue(decoded.result);
  assert.deepEqual(result, json["result"]);
  const source = orderFree(json["result"]) ? json["result"] : result;
  const ours = create(DriverCallResponseSchema, { uuid: decoded.uuid, result: toValue(source) });
  assert.deepEqual(toBinary(DriverCallResponseSchema, ours), vectorBytes(message), "response bytes re-encode exactly");
}

describe("Value codec against the reference vectors", () => {
  const files = readdirSync(vectorsDirectory()).filter((file) => file.endsWith(".json"));

  it("finds the vectors", () => {
    assert.ok(files.length >= 10, `vectors in ${vectorsDirectory()}`);
  });

  for (const file of files) {
    it(`decodes and re-encodes the driver call values of ${file}`, () => {
      const vector = loadVector(file);
      let checked = 0;
      for (const call of vector.calls) {
        const schema = schemas[call.method];
        if (!schema) continue;
        for (const message of call.requests) checkMessage(schema.request, "request", message), checked++;
        for (const message of call.responses) checkMessage(schema.response, "response", message), checked++;
      }
      const hasDriverCalls = vector.calls.some((call) => schemas[call.method]);
      assert.equal(checked > 0, hasDriverCalls);
    });
  }

  it("encodes the args [1, \"x\"] exactly as the reference did (integers are doubles)", () => {
    const [call] = loadVector("error_wrong_args").calls.filter((c) => c.method.endsWith("/DriverCall"));
    const message = call!.requests[0]!;
    assert.deepEqual(message.json["args"], [1, "x"]);
    const ours = create(DriverCallRequestSchema, { uuid: message.json["uuid"] as string, method: "on", args: toValues([1, "x"]) });
    assert.equal(Buffer.from(toBinary(DriverCallRequestSchema, ours)).toString("base64"), message.raw_b64);
  });

  it("decodes streamed PowerReading structs and shell tuples", () => {
    const read = loadVector("streaming_driver_call_power_read").calls.find((c) => c.method.endsWith("/StreamingDriverCall"))!;
    const readings = read.responses.map((m) => fromValue(decodeVectorMessage(StreamingDriverCallResponseSchema, m).result));
    assert.deepEqual(readings, [
      { voltage: 0, current: 0 },
      { voltage: 5, current: 2 },
    ]);
    const shell = loadVector("shell_call_method_hello").calls.find((c) => c.method.endsWith("/StreamingDriverCall"))!;
    const request = decodeVectorMessage(StreamingDriverCallRequestSchema, shell.requests[0]!);
    assert.deepEqual(request.args.map(fromValue), ["hello", {}]);
    const chunks = shell.responses.map((m) => fromValue(decodeVectorMessage(StreamingDriverCallResponseSchema, m).result));
    assert.deepEqual(chunks, [
      ["hello-from-shell\n", "", null],
      ["", "", 0],
    ]);
  });
});
