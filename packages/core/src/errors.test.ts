import assert from "node:assert/strict";
import { once } from "node:events";
import { open } from "node:fs/promises";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import {
  CancelledError,
  Code,
  ConnectionError,
  DeadlineExceededError,
  ExporterNotReadyError,
  InternalError,
  InvalidArgumentError,
  JumpstarterError,
  NotFoundError,
  NotImplementedError,
  codeName,
  fromStatus,
  toStatus,
} from "./errors.js";
import { loadVector, vectorCalls } from "./testing/vectors.js";

function systemError(code: string, message: string, syscall = "write"): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall, errno: -1 });
}

/** A real ECONNREFUSED from connecting to a port nobody listens on. */
async function refusedError(): Promise<Error> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  const socket = connect(port, "127.0.0.1");
  const [error] = (await once(socket, "error").catch((e: unknown) => [e])) as [Error];
  socket.destroy();
  return error;
}

describe("toStatus (exporter side, spec driver-calls §3)", () => {
  it("maps NotImplementedError to UNIMPLEMENTED with its message", () => {
    assert.deepEqual(toStatus(new NotImplementedError("no reset here")), { code: Code.UNIMPLEMENTED, details: "no reset here" });
  });

  it("maps argument errors (InvalidArgumentError, RangeError, zod errors) to INVALID_ARGUMENT", () => {
    assert.deepEqual(toStatus(new InvalidArgumentError("bad voltage")), { code: Code.INVALID_ARGUMENT, details: "bad voltage" });
    assert.deepEqual(toStatus(new RangeError("out of range")), { code: Code.INVALID_ARGUMENT, details: "out of range" });
    class ZodError extends Error {
      override name = "ZodError";
      readonly issues = [{ path: ["a"], message: "Expected number" }];
    }
    assert.deepEqual(toStatus(new ZodError("Expected number at a")), { code: Code.INVALID_ARGUMENT, details: "Expected number at a" });
  });

  it("maps timeouts (DeadlineExceededError, AbortSignal.timeout, ETIMEDOUT) to DEADLINE_EXCEEDED", async () => {
    assert.equal(toStatus(new DeadlineExceededError("slow")).code, Code.DEADLINE_EXCEEDED);
    const signal = AbortSignal.timeout(1);
    await once(signal, "abort");
    assert.deepEqual(toStatus(signal.reason), { code: Code.DEADLINE_EXCEEDED, details: "The operation was aborted due to timeout" });
    assert.equal(toStatus(systemError("ETIMEDOUT", "connect ETIMEDOUT 10.0.0.1:22", "connect")).code, Code.DEADLINE_EXCEEDED);
  });

  it("maps connection failures (ConnectionError, ECONNREFUSED, ECONNRESET, EPIPE, ESHUTDOWN) to UNAVAILABLE", async () => {
    assert.equal(toStatus(new ConnectionError("device gone")).code, Code.UNAVAILABLE);
    const refused = await refusedError();
    assert.equal((refused as NodeJS.ErrnoException).code, "ECONNREFUSED");
    assert.deepEqual(toStatus(refused), { code: Code.UNAVAILABLE, details: refused.message });
    for (const code of ["ECONNRESET", "EPIPE", "ESHUTDOWN", "ECONNABORTED"]) {
      assert.equal(toStatus(systemError(code, `write ${code}`)).code, Code.UNAVAILABLE, code);
    }
  });

  it("maps other system errors (ENOENT, EACCES, EIO…) to INTERNAL", async () => {
    const enoent = (await open("/nonexistent/jumpstarter").then(
      () => assert.fail("opened a file that cannot exist"),
      (error: unknown) => error,
    )) as Error;
    assert.deepEqual(toStatus(enoent), { code: Code.INTERNAL, details: enoent.message });
    for (const code of ["EACCES", "EIO", "EBUSY", "ENODEV"]) assert.equal(toStatus(systemError(code, code)).code, Code.INTERNAL, code);
    assert.equal(toStatus(new InternalError("device error")).code, Code.INTERNAL);
  });

  it("maps anything else to UNKNOWN with its text", () => {
    assert.deepEqual(toStatus(new Error("plain failure")), { code: Code.UNKNOWN, details: "plain failure" });
    assert.deepEqual(toStatus(new TypeError("x is not a function")), { code: Code.UNKNOWN, details: "x is not a function" });
    assert.deepEqual(toStatus("a thrown string"), { code: Code.UNKNOWN, details: "a thrown string" });
    assert.deepEqual(toStatus(Object.assign(new Error("app code"), { code: "E_APP" })), { code: Code.UNKNOWN, details: "app code" });
  });

  it("maps AbortError to CANCELLED and keeps the code of every JumpstarterError", () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(toStatus(controller.signal.reason).code, Code.CANCELLED);
    assert.equal(toStatus(new CancelledError()).code, Code.CANCELLED);
    assert.equal(toStatus(new JumpstarterError("denied", Code.PERMISSION_DENIED)).code, Code.PERMISSION_DENIED);
    assert.equal(toStatus(new ExporterNotReadyError("not ready")).code, Code.FAILED_PRECONDITION);
  });

  it("JumpstarterError.from keeps the original as the cause and names errors by class", () => {
    const original = new RangeError("bad");
    const converted = JumpstarterError.from(original);
    assert.ok(converted instanceof InvalidArgumentError);
    assert.equal(converted.cause, original);
    assert.equal(converted.name, "InvalidArgumentError");
    const same = new NotFoundError("x");
    assert.equal(JumpstarterError.from(same), same);
  });
});

describe("fromStatus (client side)", () => {
  const classes = {
    NotImplementedError,
    InvalidArgumentError,
    DeadlineExceededError,
    ConnectionError,
    NotFoundError,
    ExporterNotReadyError,
    InternalError,
    CancelledError,
  };
  // Status names as the wire and spec driver-calls §3 spell them, each with the error a caller catches: the TS
  // counterpart of the Python exception the exporter maps to that status (NOT_FOUND: method lookup failure;
  // FAILED_PRECONDITION: the client's ExporterNotReady; CANCELLED: an aborted call).
  const rows: ReadonlyArray<readonly [keyof typeof Code, keyof typeof classes]> = [
    ["UNIMPLEMENTED", "NotImplementedError"],
    ["INVALID_ARGUMENT", "InvalidArgumentError"],
    ["DEADLINE_EXCEEDED", "DeadlineExceededError"],
    ["UNAVAILABLE", "ConnectionError"],
    ["NOT_FOUND", "NotFoundError"],
    ["FAILED_PRECONDITION", "ExporterNotReadyError"],
    ["INTERNAL", "InternalError"],
    ["CANCELLED", "CancelledError"],
  ];

  it("turns each status code into its error class, inverting toStatus", () => {
    for (const [statusName, className] of rows) {
      const code = Code[statusName];
      const error = fromStatus({ code, details: "why" });
      assert.ok(error instanceof classes[className], statusName);
      assert.equal(error.name, className);
      assert.equal(error.code, code);
      assert.equal(error.message, "why");
      assert.deepEqual(toStatus(error), { code, details: "why" });
    }
    const unknown = fromStatus({ code: Code.UNKNOWN, details: "boom" });
    assert.equal(unknown.constructor, JumpstarterError);
    assert.equal(fromStatus({ code: Code.PERMISSION_DENIED, details: "no" }).code, Code.PERMISSION_DENIED);
    assert.equal(fromStatus({}).code, Code.UNKNOWN);
  });

  it("formats unary failures like the reference client and leaves streaming ones bare", () => {
    const unary = fromStatus({ code: Code.NOT_FOUND, details: "method x not found on driver" }, { method: "x", kind: "unary" });
    assert.equal(unary.message, "DriverCall 'x' failed with gRPC NOT_FOUND: method x not found on driver");
    const streaming = fromStatus({ code: Code.NOT_FOUND, details: "method x not found on driver" }, { method: "x", kind: "streaming" });
    assert.equal(streaming.message, "method x not found on driver");
  });

  it("names codes as grpc-python does", () => {
    assert.equal(codeName(Code.OK), "OK");
    assert.equal(codeName(Code.FAILED_PRECONDITION), "FAILED_PRECONDITION");
    assert.equal(codeName(Code.UNAUTHENTICATED), "UNAUTHENTICATED");
    assert.equal(codeName(99 as Code), "CODE_99");
  });

  it("reproduces the client exception texts of the error vectors", () => {
    const expectations: Array<[string, string, "unary" | "streaming", string]> = [
      ["error_method_not_found", "DriverCall", "unary", "client_exception"],
      ["error_private_method_and_unknown_uuid", "DriverCall", "unary", "client_exception"],
      ["error_streaming_method_via_unary", "DriverCall", "unary", "client_exception"],
      ["error_unary_method_via_streaming", "StreamingDriverCall", "streaming", "client_exception"],
      ["error_wrong_args", "DriverCall", "unary", "client_exception"],
    ];
    for (const [name, rpc, kind, key] of expectations) {
      const vector = loadVector(name);
      const call = vectorCalls(vector, rpc).find((c) => c.status_code !== "OK")!;
      const method = call.requests[0]!.json["method"] as string;
      const error = fromStatus({ code: Code[call.status_code as keyof typeof Code], details: call.status_details }, { method, kind });
      const expected = String(vector[key]);
      const text = expected.slice(expected.indexOf(": ") + 2);
      assert.ok(text.startsWith(error.message), `${name}: ${error.message} vs ${text}`);
      if (kind === "unary") assert.equal(error.message, text, name);
      assert.equal(codeName(error.code), call.status_code);
    }
    const unknownUuid = loadVector("error_private_method_and_unknown_uuid");
    const raw = vectorCalls(unknownUuid, "DriverCall").find((c) => c.status_code === "UNKNOWN")!;
    assert.equal(`${raw.status_code}: ${raw.status_details}`, unknownUuid["raw_unknown_uuid_result"]);
  });
});
