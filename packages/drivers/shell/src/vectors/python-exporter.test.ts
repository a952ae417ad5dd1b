/**
 * Our client against gRPC C-core (grpcio, the reference exporter's transport) answering with the reference
 * exporter's captured bytes: `grpc_vector_exporter.py` serves the recorded calls of the wire vectors and
 * answers a request only if its bytes are exactly what the reference client sent. The client tree is built
 * from the captured GetReport answer, so the driver uuids in our requests are the captured ones and every
 * request must match byte for byte. Needs Debian's python3-grpcio; without it every test here fails, saying so.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { ChildProcessByStdio } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { after, before, beforeEach, describe, it } from "node:test";
import type { DescMessage } from "@bufbuild/protobuf";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import type { ExporterHandle } from "@jumpstarter/core";
import { allowlistFromEnv, Code, codeName, connectExporter, DriverClient, ExporterStatus, JumpstarterError } from "@jumpstarter/core";
import type { VectorCall } from "@jumpstarter/core/testing";
import { eventually, loadVector, vectorCalls, within } from "@jumpstarter/core/testing";
import { CompositeClient } from "@jumpstarter/driver-composite";
import { NetworkClient } from "@jumpstarter/driver-network";
import { PowerClient } from "@jumpstarter/driver-power";
import {
  DriverCallRequestSchema,
  GetReportResponseSchema,
  GetStatusResponseSchema,
  StreamingDriverCallRequestSchema,
} from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ShellClient } from "../client.js";
import { PYTHON, assertPythonGrpc, ccoreIt, hasPythonGrpc, watchChild } from "./python-replay.js";
import { replayedVectors } from "./replay-check.js";

/** The Python side, kept in `src/` and found from the compiled file (`dist/vectors/` → `src/vectors/`). */
const EXPORTER_PY = fileURLToPath(new URL("../../src/vectors/grpc_vector_exporter.py", import.meta.url));
const SERVICE = "/jumpstarter.v1.ExporterService/";
const STREAMING = `${SERVICE}StreamingDriverCall`;
const captured = loadVector("get_report")["driver_uuids"] as Record<string, string>;


/** One recorded call as grpc_vector_exporter.py reads it. */
interface RecordedCall {
  readonly path: string;
  readonly kind: "unary" | "server_stream";
  readonly request: string;
  readonly responses: string[];
  readonly code: string;
  readonly details: string;
}

/** A call as the Python server received it. */
interface SeenCall {
  readonly path: string;
  readonly request: string;
  readonly metadata: Array<[string, string]>;
  readonly matched: boolean;
}

/**
 * Every ExporterService call of the replayed vectors (RouterService/Stream is bidi and not served here). The
 * same request recorded twice (e.g. `on` in several sessions) must have had the same outcome; its responses
 * differ only in the fresh per-response uuid, and the first recording is served.
 */
function recordedCalls(): RecordedCall[] {
  const byKey = new Map<string, RecordedCall>();
  for (const name of replayedVectors) {
    for (const call of loadVector(name).calls) {
      if (!call.method.startsWith(SERVICE)) continue;
      assert.equal(call.requests.length, 1, `${name}: ${call.method} has one request`);
      const recorded: RecordedCall = {
        path: call.method,
        kind: call.method === STREAMING ? "server_stream" : "unary",
        request: call.requests[0]!.raw_b64,
        responses: call.responses.map((message) => message.raw_b64),
        code: call.status_code,
        details: call.status_details,
      };
      const key = `${recorded.path} ${recorded.request}`;
      const earlier = byKey.get(key);
      if (!earlier) byKey.set(key, recorded);
      else {
        assert.deepEqual(
          [earlier.code, earlier.details, earlier.responses.length],
          [recorded.code, recorded.details, recorded.responses.length],
          `${name}: ${key} recorded with different outcomes`,
        );
      }
    }
  }
  return [...byKey.values()];
}

/** What the Python server received on a RouterService/Stream call, logged when the call ended. */
interface StreamEnd {
  readonly stream_end: string;
  /** The first eight frames, raw (base64). */
  readonly frames: string[];
  readonly count: number;
  readonly bytes: number;
}

/** `/usr/bin/python3 grpc_vector_exporter.py unix:<socket> <calls.json>`, and the calls it has received. */
class PythonVectorExporter {
  readonly seen: SeenCall[] = [];
  readonly streamEnds: StreamEnd[] = [];
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #watch: ReturnType<typeof watchChild>;

  private constructor(
    readonly address: string,
    readonly directory: string,
    child: ChildProcessByStdio<Writable, Readable, Readable>,
  ) {
    this.#child = child;
    this.#watch = watchChild(child);
  }

  static async start(): Promise<PythonVectorExporter> {
    assertPythonGrpc();
    const directory = await mkdtemp(join(tmpdir(), "jumpstarter-ccore-exporter-"));
    const callsFile = join(directory, "calls.json");
    await writeFile(callsFile, JSON.stringify(recordedCalls()));
    const address = `unix:${join(directory, "socket")}`;
    const child = spawn(PYTHON, ["-u", EXPORTER_PY, address, callsFile], { stdio: ["pipe", "pipe", "pipe"] });
    const exporter = new PythonVectorExporter(address, directory, child);
    const ready = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        if (line === "ready") resolve();
        else {
          const entry = JSON.parse(line) as SeenCall | StreamEnd;
          if ("stream_end" in entry) exporter.streamEnds.push(entry);
          else exporter.seen.push(entry);
        }
      });
      child.once("exit", (code, signal) => reject(new Error(`grpc_vector_exporter.py exited (${signal ?? code}); stderr:\n${exporter.#watch.stderr()}`)));
      child.once("error", reject);
    });
    try {
      await within(ready, "grpc_vector_exporter.py to listen", 30_000);
    } catch (error) {
      await exporter.close();
      throw error;
    }
    return exporter;
  }

  /** Stops the server (stdin closed) and removes its directory. */
  async close(): Promise<void> {
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
    try {
      await this.#watch.exited;
    } finally {
      clearTimeout(timer);
      await rm(this.directory, { recursive: true, force: true });
    }
  }
}


const requestSchemas: Record<string, DescMessage | undefined> = {
  [`${SERVICE}DriverCall`]: DriverCallRequestSchema,
  [STREAMING]: StreamingDriverCallRequestSchema,
};

/** A request decoded for a failure message (its JSON, or why it does not decode). */
function describeRequest(path: string, base64: string): string {
  const schema = requestSchemas[path];
  if (!schema) return `${base64.length ? base64 : "(empty)"} (base64)`;
  try {
    return `${JSON.stringify(toJson(schema, fromBinary(schema, Buffer.from(base64, "base64"))))} = ${base64} (base64)`;
  } catch (error) {
    return `undecodable ${base64} (base64): ${(error as Error).message}`;
  }
}

/** The one recorded call of `vector` to `method` (the `index`th if there are several). */
function recorded(vector: string, method: string, index = 0): VectorCall {
  const call = vectorCalls(loadVector(vector), method)[index];
  assert.ok(call, `${vector} records a ${method} call`);
  return call;
}

/** The error `promise` rejects with, which must be a JumpstarterError. */
async function failure(promise: Promise<unknown>): Promise<JumpstarterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof JumpstarterError, `a JumpstarterError, not ${String(error)}`);
    return error;
  }
  assert.fail("the call succeeded");
}

/** The reference client's exception (`Class: message`) without its class name. */
function referenceMessage(vector: string): string {
  const text = loadVector(vector)["client_exception"] as string;
  return text.slice(text.indexOf(": ") + 2);
}

describe("our client against gRPC C-core (grpcio) serving the reference exporter's captured bytes", () => {
  let exporter: PythonVectorExporter | undefined;
  let handle: ExporterHandle<CompositeClient> | undefined;
  let checked = 0;

  /**
   * The calls our client made since the last check are exactly `expected`, in order, each with the recorded
   * request bytes (the server answered them, so they matched) and only the reference client's metadata keys.
   */
  async function assertSent(...expected: VectorCall[]): Promise<void> {
    const seen = exporter!.seen;
    // The server logs a call before answering it; its stdout may still be in flight when the answer is in.
    await eventually(() => seen.length >= checked + expected.length, `${expected.length} calls to reach the server log`, 10_000);
    const calls = seen.slice(checked);
    checked = seen.length;
    for (const call of calls) {
      assert.ok(call.matched, `our client sent ${call.path} ${describeRequest(call.path, call.request)}, which the reference client never sent`);
    }
    assert.deepEqual(
      calls.map((call) => `${call.path} ${describeRequest(call.path, call.request)}`),
      expected.map((call) => `${call.method} ${describeRequest(call.method, call.requests[0]!.raw_b64)}`),
      "the calls our client made",
    );
    // C-core hands the server every request header that is not transport (te, content-type, grpc-*…): the
    // metadata our client sends has exactly the reference client's keys, nothing more.
    calls.forEach((call, index) => {
      assert.deepEqual(
        call.metadata.map(([key]) => key),
        expected[index]!.request_metadata.map(([key]) => key),
        `${call.path}: request metadata keys as the reference client's`,
      );
    });
  }

  function child<C extends DriverClient>(path: string, type: abstract new (...args: never[]) => C): C {
    return handle!.root.path(path, type);
  }

  before(async () => {
    if (!hasPythonGrpc()) return;
    exporter = await PythonVectorExporter.start();
    // What `jmp shell` sets in local mode, under which the reference client loads every client class.
    handle = await connectExporter<CompositeClient>({ address: exporter.address }, { allowlist: allowlistFromEnv({ JMP_DRIVERS_ALLOW: "UNSAFE" }) });
  });
  after(async () => {
    handle?.close();
    await exporter?.close();
  });
  // Each test checks its own calls, even if an earlier one failed before checking its.
  beforeEach(() => {
    checked = exporter?.seen.length ?? 0;
  });

  ccoreIt("has python3-grpcio (gRPC C-core) at /usr/bin/python3", async () => {});

  ccoreIt("gets the captured report and builds the reference's client tree from it", async () => {
    checked = 0;
    await assertSent(recorded("get_report", "GetReport"));
    const { root, report } = handle!;
    assert.deepEqual(toJson(GetReportResponseSchema, report), recorded("get_report", "GetReport").responses[0]!.json, "GetReport decodes as recorded");
    assert.ok(root instanceof CompositeClient, `root is a CompositeClient, not ${root.constructor.name}`);
    assert.equal(root.uuid, captured["root"]);
    assert.equal(root.description, "interop mock exporter");
    assert.deepEqual(root.childNames, ["power", "tcp", "shell", "group"]);
    const expected: Array<[string, abstract new (...args: never[]) => DriverClient, string]> = [
      ["power", PowerClient, "jumpstarter_driver_power.client.PowerClient"],
      ["tcp", NetworkClient, "jumpstarter_driver_network.client.NetworkClient"],
      ["shell", ShellClient, "jumpstarter_driver_shell.client.ShellClient"],
      ["group", CompositeClient, "jumpstarter_driver_composite.client.CompositeClient"],
      ["group.power2", PowerClient, "jumpstarter_driver_power.client.PowerClient"],
    ];
    for (const [path, type, label] of expected) {
      const client = child(path, type);
      assert.equal(client.uuid, captured[path], `${path} uuid`);
      assert.equal(client.clientLabel, label, `${path} client label`);
      assert.equal(client.labels["jumpstarter.dev/name"], path.split(".").at(-1), `${path} name label`);
    }
    assert.deepEqual(child("group", CompositeClient).childNames, ["power2"]);
    assert.deepEqual(child("shell", ShellClient).methodsDescription, { greet: "echo the first argument" });
  });

  ccoreIt("power.on() and power.off()", async () => {
    assert.equal(await child("power", PowerClient).on(), undefined);
    await assertSent(recorded("driver_call_power_on", "DriverCall"));
    assert.equal(await child("power", PowerClient).off(), undefined);
    await assertSent(recorded("driver_call_power_off", "DriverCall"));
  });

  ccoreIt("group.power2.on() on the nested composite child", async () => {
    assert.equal(await child("group.power2", PowerClient).on(), undefined);
    await assertSent(recorded("driver_call_composite_child_power_on", "DriverCall"));
  });

  ccoreIt("power.read() streams the recorded readings", async () => {
    const readings = [];
    for await (const reading of child("power", PowerClient).read()) readings.push(reading);
    assert.deepEqual(readings, loadVector("streaming_driver_call_power_read")["client_decoded_results"]);
    await assertSent(recorded("streaming_driver_call_power_read", "StreamingDriverCall"));
  });

  ccoreIt("shell: the hello method runs with the recorded output and return code", async () => {
    const shell = child("shell", ShellClient);
    const result = await shell.callMethod("hello");
    // Recorded: ["hello-from-shell\n", "", null] then ["", "", 0]; the reference's hello() returned the code.
    assert.deepEqual(result, { stdout: "hello-from-shell\n", stderr: "", returncode: 0 });
    assert.equal(result.returncode, loadVector("shell_call_method_hello")["client_result"]);
    await assertSent(recorded("shell_call_method_hello", "DriverCall"), recorded("shell_call_method_hello", "StreamingDriverCall"));
    assert.deepEqual(await shell.methods(), ["hello", "greet"], "get_methods as recorded (cached, no new call)");
    await assertSent();
  });

  ccoreIt("tcp.address() returns the recorded address", async () => {
    assert.equal(await child("tcp", NetworkClient).address(), loadVector("driver_call_tcp_address")["client_result"]);
    await assertSent(recorded("driver_call_tcp_address", "DriverCall"));
  });

  ccoreIt("tcp.connect(): the exportstream's frames and metadata as the reference client sent them, echoed back", async () => {
    const vector = recorded("exportstream_tcp_connect", "/jumpstarter.v1.RouterService/Stream");
    const stream = await child("tcp", NetworkClient).connect();
    const received: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve, reject) => stream.once("end", resolve).once("error", reject));
    // One write per echo, as in the recording (c2s:0, s2c:0, c2s:1, s2c:1, half-close).
    const payloads = vector.requests.filter((frame) => frame.payload_utf8 !== undefined).map((frame) => frame.payload_utf8!);
    let expected = "";
    for (const payload of payloads) {
      stream.write(payload);
      expected += payload;
      await eventually(() => Buffer.concat(received).toString() === expected, `the echo of ${JSON.stringify(payload)}`);
    }
    stream.end();
    await within(ended, "the echoed GOAWAY to end the stream", 10_000);
    assert.equal(Buffer.concat(received).toString(), expected);
    await eventually(() => exporter!.streamEnds.length > 0, "the Python server to log the stream's end");
    const end = exporter!.streamEnds.shift()!;
    assert.deepEqual(end.frames, vector.requests.map((frame) => frame.raw_b64), "the frames our client sent, byte for byte the reference client's");
    // Only the stream's own line: with a test name filter, the report call of `before` may be logged late.
    const calls = exporter!.seen.slice(checked).filter((call) => call.path === vector.method);
    checked = exporter!.seen.length;
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.path, vector.method);
    assert.deepEqual(
      calls[0]!.metadata.map(([key]) => key),
      vector.request_metadata.map(([key]) => key),
      "request metadata keys as the reference client's",
    );
    assert.equal(calls[0]!.request, vector.request_metadata.find(([key]) => key === "request")?.[1], "the request metadata, as the reference client wrote it");
  });

  ccoreIt("tcp.connect(): 16 MiB echoed through gRPC C-core, in order (flow control both ways)", async () => {
    const stream = await child("tcp", NetworkClient).connect();
    const total = 16 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024);
    const sent = createHash("sha256");
    const got = createHash("sha256");
    let receivedBytes = 0;
    stream.on("data", (data: Buffer) => {
      got.update(data);
      receivedBytes += data.length;
    });
    const ended = new Promise<void>((resolve, reject) => stream.once("end", resolve).once("error", reject));
    for (let offset = 0; offset < total; offset += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32BE((offset + i) >>> 2, i);
      sent.update(chunk);
      // A fresh buffer per write: the stream may still hold the previous one.
      if (!stream.write(Buffer.from(chunk))) await new Promise((resolve) => stream.once("drain", resolve));
    }
    stream.end();
    await within(ended, "the 16 MiB echo", 60_000);
    assert.equal(receivedBytes, total);
    assert.equal(got.digest("hex"), sent.digest("hex"), "the echo has the bytes sent, in order");
    await eventually(() => exporter!.streamEnds.length > 0, "the Python server to log the stream's end");
    const end = exporter!.streamEnds.shift()!;
    assert.ok(end.bytes > total, `the server received every frame (${end.bytes} bytes in ${end.count} frames)`);
    checked = exporter!.seen.length;
  });

  ccoreIt("a method the driver does not have: NOT_FOUND with the reference's message", async () => {
    const error = await failure(child("power", PowerClient).call("no_such_method"));
    assert.equal(error.code, Code.NOT_FOUND);
    assert.equal(error.message, referenceMessage("error_method_not_found"));
    await assertSent(recorded("error_method_not_found", "DriverCall"));
  });

  ccoreIt("a private (unexported) method: NOT_FOUND with the reference's message", async () => {
    const error = await failure(child("power", PowerClient).call("_DriverCall"));
    assert.equal(error.code, Code.NOT_FOUND);
    assert.equal(error.message, referenceMessage("error_private_method_and_unknown_uuid"));
    await assertSent(recorded("error_private_method_and_unknown_uuid", "DriverCall", 0));
  });

  ccoreIt("a uuid the report does not have: UNKNOWN with the exporter's details", async () => {
    const call = recorded("error_private_method_and_unknown_uuid", "DriverCall", 1);
    const uuid = (call.requests[0]!.json as { uuid: string }).uuid;
    const stray = new DriverClient({ uuid, labels: {}, methodsDescription: {}, children: {}, connection: handle!.connection });
    const error = await failure(stray.call("on"));
    assert.equal(error.code, Code.UNKNOWN);
    assert.equal(`${codeName(error.code)}: ${call.status_details}`, loadVector("error_private_method_and_unknown_uuid")["raw_unknown_uuid_result"]);
    assert.equal(error.message, `DriverCall 'on' failed with gRPC UNKNOWN: ${call.status_details}`);
    await assertSent(call);
  });

  ccoreIt("a streaming method called as unary: NOT_FOUND with the reference's message", async () => {
    const error = await failure(child("power", PowerClient).call("read"));
    assert.equal(error.code, Code.NOT_FOUND);
    assert.equal(error.message, referenceMessage("error_streaming_method_via_unary"));
    await assertSent(recorded("error_streaming_method_via_unary", "DriverCall"));
  });

  ccoreIt("a unary method called as streaming: NOT_FOUND with the exporter's details", async () => {
    const call = recorded("error_unary_method_via_streaming", "StreamingDriverCall");
    const error = await failure(child("power", PowerClient).streamingCall("on").next());
    assert.equal(error.code, Code.NOT_FOUND);
    assert.equal(error.message, call.status_details);
    // The reference's DriverError adds Python's exception chain after the details.
    assert.ok(referenceMessage("error_unary_method_via_streaming").startsWith(`${call.status_details} (Caused by: `));
    await assertSent(call);
  });

  ccoreIt("wrong arguments: UNKNOWN with the reference's message", async () => {
    const error = await failure(child("power", PowerClient).call("on", [1, "x"]));
    assert.equal(error.code, Code.UNKNOWN);
    assert.equal(error.message, referenceMessage("error_wrong_args"));
    await assertSent(recorded("error_wrong_args", "DriverCall"));
  });

  ccoreIt("GetStatus decodes as recorded", async () => {
    const call = recorded("get_status", "GetStatus");
    const status = await handle!.connection.getStatus();
    assert.equal(status.status, ExporterStatus.LEASE_READY);
    assert.equal(status.previousStatus, ExporterStatus.AVAILABLE);
    assert.equal(status.statusVersion, 1n);
    assert.equal(status.message, "");
    assert.deepEqual(toJson(GetStatusResponseSchema, status), call.responses[0]!.json);
    assert.deepEqual(toJson(GetStatusResponseSchema, status), loadVector("get_status")["client_result"]);
    await assertSent(call);
  });

  ccoreIt("sent nothing the reference client did not, in any test", async () => {
    assert.deepEqual(
      exporter!.seen.filter((call) => !call.matched).map((call) => `${call.path} ${describeRequest(call.path, call.request)}`),
      [],
    );
  });
});
