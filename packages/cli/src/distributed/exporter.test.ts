// The exporter's controller conversation, checked call by call. The real controller cannot show what goes over
// the wire nor refuse ReleaseLease (the compat path), so this one test uses a recording stand-in served over TLS;
// the end-to-end tests run the same exporter against the real controller.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { grpcServiceDefinition } from "@jumpstarter/protocol";
import { ControllerService, StatusResponseSchema } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import type { ListenRequest, RegisterRequest, ReportStatusRequest, StatusResponse, UnregisterRequest } from "@jumpstarter/protocol/gen/jumpstarter/v1/jumpstarter_pb";
import { ExporterStatus, NAME_LABEL } from "@jumpstarter/core";
import { parseExporterConfig } from "../config/load.js";
import { createCliLogger } from "../log.js";
import { runControllerExporter } from "./exporter.js";

interface Recorded {
  readonly method: string;
  readonly metadata: Record<string, string>;
  readonly request: unknown;
}

/** A ControllerService that records every call; Status and Listen streams are driven by the test. */
class RecordingController {
  readonly calls: Recorded[] = [];
  readonly server = new grpc.Server();
  statusCall: grpc.ServerWritableStream<unknown, StatusResponse> | undefined;
  #waiters = new Set<() => void>();

  constructor() {
    const record = (method: string, call: { metadata: grpc.Metadata; request?: unknown }) => {
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) metadata[key] = String(value);
      this.calls.push({ method, metadata, request: call.request });
      for (const waiter of this.#waiters) waiter();
    };
    const ok = (method: string) => (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      record(method, call);
      callback(null, {});
    };
    const unimplemented = (method: string) => (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      record(method, call);
      callback({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not served here` });
    };
    this.server.addService(grpcServiceDefinition(ControllerService), {
      register: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        record("Register", call);
        callback(null, { uuid: "exporter-uid" });
      },
      unregister: ok("Unregister"),
      reportStatus: ok("ReportStatus"),
      getServiceEndpoints: unimplemented("GetServiceEndpoints"),
      releaseLease: unimplemented("ReleaseLease"),
      status: (call: grpc.ServerWritableStream<unknown, StatusResponse>) => {
        this.statusCall = call;
        record("Status", call);
      },
      listen: (call: grpc.ServerWritableStream<ListenRequest, unknown>) => record("Listen", call),
    });
  }

  methods(): string[] {
    return this.calls.map((call) => call.method);
  }

  statuses(): Array<{ status: ExporterStatus; message: string; releaseLease?: boolean }> {
    return this.calls
      .filter((call) => call.method === "ReportStatus")
      .map((call) => {
        const request = call.request as ReportStatusRequest;
        return { status: request.status, message: request.message ?? "", ...(request.releaseLease !== undefined ? { releaseLease: request.releaseLease } : {}) };
      });
  }

  /** Resolves once `check` holds (re-checked on every call). */
  until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (!check()) return;
        this.#waiters.delete(test);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(test);
        reject(new Error(`timed out waiting for ${what}; calls: ${this.methods().join(", ")}`));
      }, timeoutMs);
      this.#waiters.add(test);
      test();
    });
  }
}

let work = "";
let cert = "";
let key = "";
before(async () => {
  work = await mkdtemp(join(tmpdir(), "jmp-exporter-wire-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(work, "key.pem"), "-out", join(work, "cert.pem"),
  ], { stdio: "ignore" });
  cert = await readFile(join(work, "cert.pem"), "utf8");
  key = await readFile(join(work, "key.pem"), "utf8");
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("exporter ↔ controller conversation", () => {
  it("registers, reports, follows a lease, releases through the compat path and unregisters on stop", async () => {
    const controller = new RecordingController();
    const port = await new Promise<number>((resolve, reject) =>
      controller.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(key), cert_chain: Buffer.from(cert) }]), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const text = [
      "apiVersion: jumpstarter.dev/v1alpha1",
      "kind: ExporterConfig",
      "metadata: {namespace: lab, name: bench-1}",
      `endpoint: 127.0.0.1:${port}`,
      "token: s3cret-token",
      `tls: {ca: ${Buffer.from(cert).toString("base64")}}`,
      "export:",
      "  power: {type: jumpstarter_driver_power.driver.MockPower}",
      "hooks:",
      "  afterLease: {script: 'echo cleaning up $LEASE_NAME for $CLIENT_NAME'}",
    ].join("\n");
    const loaded = { ...parseExporterConfig(text, join(work, "bench-1.yaml")), path: join(work, "bench-1.yaml"), directory: work };
    const stop = new AbortController();
    const lines: string[] = [];
    const exited = runControllerExporter(loaded, { logger: createCliLogger("DEBUG", "text", (line) => lines.push(line)), signal: stop.signal, env: { ...process.env, XDG_RUNTIME_DIR: work } });
    try {
      await controller.until(() => controller.statusCall !== undefined, "the Status stream");
      assert.deepEqual(controller.methods().slice(0, 4), ["Register", "ReportStatus", "GetServiceEndpoints", "Status"]);
      for (const call of controller.calls) {
        assert.deepEqual(
          [call.metadata["jumpstarter-kind"], call.metadata["jumpstarter-namespace"], call.metadata["jumpstarter-name"], call.metadata["authorization"]],
          ["Exporter", "lab", "bench-1", "Bearer s3cret-token"],
          call.method,
        );
      }
      const register = controller.calls[0]!.request as RegisterRequest;
      assert.deepEqual({ ...register.labels }, { [NAME_LABEL]: "bench-1" });
      assert.deepEqual(register.reports.map((report) => [report.parentUuid === undefined, report.labels[NAME_LABEL]]), [[true, undefined], [false, "power"]]);
      assert.deepEqual(controller.statuses()[0], { status: ExporterStatus.AVAILABLE, message: "Exporter registered and available" });

      controller.statusCall!.write(create(StatusResponseSchema, { leased: true, leaseName: "lease-1", clientName: "alice" }));
      await controller.until(() => controller.methods().includes("Listen") && controller.statuses().some((s) => s.status === ExporterStatus.LEASE_READY), "Listen and LEASE_READY");
      assert.equal((controller.calls.find((call) => call.method === "Listen")!.request as ListenRequest).leaseName, "lease-1");
      assert.deepEqual(controller.statuses().at(-1), { status: ExporterStatus.LEASE_READY, message: "Ready for commands" });

      controller.statusCall!.write(create(StatusResponseSchema, { leased: false }));
      await controller.until(() => controller.statuses().some((s) => s.message === "Exporter available after lease release"), "the release");
      assert.ok(controller.methods().includes("ReleaseLease"));
      const afterLease = controller.statuses().slice(2);
      assert.deepEqual(afterLease[0], { status: ExporterStatus.AFTER_LEASE_HOOK, message: "Running afterLease hooks" });
      assert.deepEqual(
        afterLease.find((s) => s.releaseLease !== undefined),
        { status: ExporterStatus.AFTER_LEASE_HOOK, message: "Lease released (compat: ReportStatus with release_lease)", releaseLease: true },
      );
      assert.ok(lines.some((line) => line.includes("cleaning up lease-1 for alice")), lines.join(""));
    } finally {
      stop.abort();
      await exited.catch(() => undefined);
      controller.server.forceShutdown();
    }
    assert.equal(await exited, 143);
    const tail = controller.calls.slice(-2);
    assert.deepEqual(
      [tail[0]!.method, (tail[0]!.request as ReportStatusRequest).status, (tail[0]!.request as ReportStatusRequest).message],
      ["ReportStatus", ExporterStatus.OFFLINE, "Exporter shutting down"],
    );
    assert.deepEqual([tail[1]!.method, (tail[1]!.request as UnregisterRequest).reason], ["Unregister", "Exporter shutdown"]);
  });
});
