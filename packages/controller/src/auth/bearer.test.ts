import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { Code, JumpstarterError } from "@jumpstarter/core";
import { bearerToken } from "./bearer.js";

function metadata(values: readonly string[]): Metadata {
  const result = new Metadata();
  for (const value of values) result.add("authorization", value);
  return result;
}

function refusal(run: () => unknown): { code: Code; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof JumpstarterError);
    return { code: error.code, message: error.message };
  }
  assert.fail("expected a refusal");
}

describe("bearerToken", () => {
  it("returns the token after a case-insensitive Bearer prefix", () => {
    assert.equal(bearerToken(metadata(["Bearer abc.def"])), "abc.def");
    assert.equal(bearerToken(metadata(["bEaReR xyz"])), "xyz");
  });

  it("refuses missing metadata with INVALID_ARGUMENT", () => {
    assert.deepEqual(refusal(() => bearerToken(undefined)), { code: Code.INVALID_ARGUMENT, message: "missing metadata" });
  });

  it("refuses a missing header with UNAUTHENTICATED", () => {
    assert.deepEqual(refusal(() => bearerToken(metadata([]))), { code: Code.UNAUTHENTICATED, message: "missing authorization header" });
  });

  it("refuses two headers with INVALID_ARGUMENT", () => {
    assert.deepEqual(refusal(() => bearerToken(metadata(["Bearer a", "Bearer b"]))), {
      code: Code.INVALID_ARGUMENT,
      message: "multiple authorization headers",
    });
  });

  it("refuses other schemes and a bare prefix with INVALID_ARGUMENT", () => {
    for (const value of ["Basic abc", "Bearer", "Token abc", "Bearerabc"]) {
      assert.deepEqual(refusal(() => bearerToken(metadata([value]))), { code: Code.INVALID_ARGUMENT, message: "malformed authorization header" });
    }
  });
});
