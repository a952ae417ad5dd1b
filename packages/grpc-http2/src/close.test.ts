/*
 * GrpcServer.close() with calls in flight: the calls are cancelled, the unix socket file goes, close() resolves,
 * and nothing the server made keeps the process alive (checked in a child process that must exit on its own).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { BidiCall, ServerStreamCall, UnaryCall } from "./calls.js";
import type { StreamOutcome, UnaryOutcome } from "./test-support.js";
import { callUnary, collect, newClient, startServer, until, within } from "./test-support.js";

const CHILD_FLAG = "JMP_GRPC_SERVER_CLOSE_CHILD";

interface CloseResult {
  readonly serverCallsCancelled: { unary: boolean; serverStream: boolean; bidi: boolean };
  readonly socketExistedBefore: boolean;
  readonly socketExistsAfter: boolean;
  readonly clientCodes: { unary: number; serverStream: number; bidi: number };
  readonly callAfterClose: number | undefined;
}

/** Opens a unary, a server-streaming and a bidi call, closes the server under them, and reports what happened. */
async function closeScenario(): Promise<CloseResult> {
  const calls: { unary?: UnaryCall; serverStream?: ServerStreamCall; bidi?: BidiCall } = {};
  const cancelled = { unary: false, serverStream: false, bidi: false };
  const fixture = await startServer({
    unary(call: UnaryCall) {
      calls.unary = call;
      call.on("cancelled", () => (cancelled.unary = true));
    },
    serverStream(call: ServerStreamCall) {
      calls.serverStream = call;
      call.on("cancelled", () => (cancelled.serverStream = true));
      call.write({ first: true });
    },
    bidi(call: BidiCall) {
      calls.bidi = call;
      call.on("cancelled", () => (cancelled.bidi = true));
      call.on("data", (message: unknown) => call.write(message));
    },
  });
  const client = newClient(fixture.address);
  try {
    const unary = callUnary(client, { hang: true });
    const streamCall = client.serverStream({}, new grpc.Metadata(), {});
    const stream = collect(streamCall);
    const bidiCall = client.bidi(new grpc.Metadata(), {});
    const bidi = collect(bidiCall);
    bidiCall.write({ hello: 1 });
    await within(5000, "the first stream message", once(streamCall, "data"));
    await within(5000, "the first bidi echo", once(bidiCall, "data"));
    await until(() => calls.unary !== undefined, "the unary handler");

    const socketExistedBefore = existsSync(fixture.socketPath);
    await within(10_000, "server.close()", fixture.server.close());
    const serverCallsCancelled = { ...cancelled };
    const socketExistsAfter = existsSync(fixture.socketPath);

    const [u, s, b] = (await within(10_000, "the client calls to end", Promise.all([unary, stream, bidi]))) as [
      UnaryOutcome,
      StreamOutcome,
      StreamOutcome,
    ];
    bidiCall.end();
    const after = await within(10_000, "a call after close", callUnary(client, {}, { deadline: Date.now() + 2000 }));
    return {
      serverCallsCancelled,
      socketExistedBefore,
      socketExistsAfter,
      clientCodes: { unary: u.status.code, serverStream: s.status.code, bidi: b.status.code },
      callAfterClose: after.error?.code,
    };
  } finally {
    client.close();
    await fixture.close();
  }
}

function assertClosed(result: CloseResult): void {
  assert.deepEqual(result.serverCallsCancelled, { unary: true, serverStream: true, bidi: true });
  assert.equal(result.socketExistedBefore, true);
  assert.equal(result.socketExistsAfter, false, "close() removed the unix socket file");
  for (const [name, code] of Object.entries(result.clientCodes)) {
    assert.ok(code === grpc.status.CANCELLED || code === grpc.status.UNAVAILABLE, `${name} call ended with ${code}`);
  }
  assert.ok(result.callAfterClose !== undefined, "a call after close() fails");
}

if (process.env[CHILD_FLAG] === "1") {
  // The child: run the scenario, report, and leave the process to exit by itself.
  const result = await closeScenario();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  describe("close()", () => {
    it("cancels calls in flight, removes the unix socket file and resolves", async () => {
      assertClosed(await closeScenario());
    });

    it("leaves nothing that keeps the process alive (a child process running the scenario exits by itself)", async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, [CHILD_FLAG]: "1" };
      delete env.NODE_TEST_CONTEXT;
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
      let code: number | null;
      try {
        [code] = await within(30_000, "the child process to exit on its own", exited);
      } catch (error) {
        child.kill("SIGKILL");
        await exited;
        assert.fail(`${(error as Error).message}; it printed ${JSON.stringify(stdout)} ${stderr}`);
      }
      assert.equal(code, 0, stderr);
      const lines = stdout.trim().split("\n");
      assertClosed(JSON.parse(lines[lines.length - 1]!) as CloseResult);
    });

    it("close(graceMs) lets a call in flight finish, delivers what a stream sent last, then cancels the rest", async () => {
      let streamCall: ServerStreamCall | undefined;
      let streamCancelled = false;
      let unaryStarted = false;
      const fixture = await startServer({
        unary(_call: UnaryCall, callback: (error: null, value: unknown) => void) {
          unaryStarted = true;
          setTimeout(() => callback(null, { answered: true }), 100);
        },
        serverStream(call: ServerStreamCall) {
          streamCall = call;
          call.on("cancelled", () => (streamCancelled = true));
          call.write({ first: true });
        },
      });
      const client = newClient(fixture.address);
      try {
        const stream = client.serverStream({}, new grpc.Metadata(), {});
        const outcome = collect(stream);
        await within(5000, "the first stream message", once(stream, "data"));
        const unary = callUnary(client, {});
        await until(() => streamCall !== undefined && unaryStarted, "both handlers");
        const closing = fixture.server.close(500);
        // Written as the server closes, as a health service announces NOT_SERVING.
        streamCall!.write({ last: true });
        assert.deepEqual((await within(5000, "the unary call", unary)).value, { answered: true }, "finished within the grace period");
        await within(5000, "close(500)", closing);
        const ended = await within(5000, "the stream to end", outcome);
        assert.deepEqual(ended.messages, [{ first: true }, { last: true }], "the last message reached the client");
        assert.ok(streamCancelled, "the stream still open after the grace period was cancelled");
      } finally {
        client.close();
        await fixture.close();
      }
    });

    it("closes a server with TCP and unix listeners and no connections, and a second close() resolves too", async () => {
      const fixture = await startServer({});
      const tcp = await fixture.server.listen("127.0.0.1:0");
      await within(5000, "close()", fixture.server.close());
      assert.equal(existsSync(fixture.socketPath), false);
      await within(5000, "a second close()", fixture.server.close());
      const port = Number(tcp.split(":")[1]);
      const refused = await new Promise<boolean>((resolve) => {
        const socket = new net.Socket();
        socket.once("error", () => resolve(true));
        socket.connect(port, "127.0.0.1", () => {
          socket.destroy();
          resolve(false);
        });
      });
      assert.equal(refused, true, "the TCP port no longer accepts connections");
      await fixture.close();
    });
  });
}
