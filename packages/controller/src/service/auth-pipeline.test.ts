import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import type { TokenVerifier } from "../auth/authenticate.js";
import type { Harness, Identity } from "../testing/controller-harness.js";
import { identityMetadata, startHarness } from "../testing/controller-harness.js";
import { refusal } from "../testing/grpc-clients.js";

function withEntries(identity: Identity, change: (metadata: grpc.Metadata) => void): grpc.Metadata {
  const metadata = identityMetadata(identity);
  change(metadata);
  return metadata;
}

describe("controller auth pipeline (spec §2)", () => {
  let h: Harness;
  let client: Identity;
  let exporter: Identity;
  const oidcVerifier: TokenVerifier = {
    async verify(token) {
      if (token === "oidc-alice") return { username: "https://sso.example.com#Alice.Smith@Example" };
      return undefined;
    },
  };

  before(async () => {
    h = await startHarness(
      {},
      { wrapVerifier: (internal) => ({ verify: async (token) => (token.startsWith("oidc-") ? oidcVerifier.verify(token) : internal.verify(token)) }) },
    );
    client = (await h.addClient("alice-client")).identity;
    exporter = (await h.addExporter("board-1")).identity;
  });
  after(() => h.close());

  const listExporters = (metadata: grpc.Metadata | Identity) => h.unary("client", "listExporters", { parent: "namespaces/default" }, metadata);
  const register = (metadata: grpc.Metadata | Identity) => h.unary("controller", "register", { labels: {}, reports: [] }, metadata);

  it("accepts a client and an exporter with their own tokens", async () => {
    await listExporters(client);
    await register(exporter);
  });

  it("refuses a call without authorization: UNAUTHENTICATED", async () => {
    const metadata = withEntries(client, (m) => m.remove("authorization"));
    assert.deepEqual(await refusal(listExporters(metadata)), { code: grpc.status.UNAUTHENTICATED, details: "missing authorization header" });
  });

  it("refuses a non-bearer authorization header: INVALID_ARGUMENT", async () => {
    const metadata = withEntries(client, (m) => m.set("authorization", `Token ${client.token}`));
    assert.deepEqual(await refusal(listExporters(metadata)), { code: grpc.status.INVALID_ARGUMENT, details: "malformed authorization header" });
  });

  it("refuses a token no authenticator accepts: UNKNOWN failed to authenticate token", async () => {
    const metadata = withEntries(client, (m) => m.set("authorization", "Bearer not.a.token"));
    assert.deepEqual(await refusal(listExporters(metadata)), { code: grpc.status.UNKNOWN, details: "failed to authenticate token" });
  });

  it("refuses an expired token with a text containing 'token is expired'", async () => {
    const record = (await h.store.getClient("default", "alice-client"))!;
    const expired = await h.tokens.expired({ kind: "client", namespace: "default", name: "alice-client", uid: record.uid });
    const { code, details } = await refusal(listExporters({ ...client, token: expired }));
    assert.equal(code, grpc.status.UNKNOWN);
    assert.match(details, /token is expired/);
  });

  it("refuses a forged token (another signing key)", async () => {
    const record = (await h.store.getClient("default", "alice-client"))!;
    const forged = await h.tokens.forged({ kind: "client", namespace: "default", name: "alice-client", uid: record.uid });
    const { code, details } = await refusal(listExporters({ ...client, token: forged }));
    assert.equal(code, grpc.status.UNKNOWN);
    assert.match(details, /signature/);
  });

  for (const key of ["jumpstarter-namespace", "jumpstarter-kind"]) {
    it(`refuses a call without ${key}: INVALID_ARGUMENT`, async () => {
      const metadata = withEntries(client, (m) => m.remove(key));
      assert.deepEqual(await refusal(listExporters(metadata)), { code: grpc.status.INVALID_ARGUMENT, details: `missing metadata: ${key}` });
    });
  }

  it("requires jumpstarter-name for internal tokens", async () => {
    const metadata = withEntries(exporter, (m) => m.remove("jumpstarter-name"));
    assert.deepEqual(await refusal(register(metadata)), {
      code: grpc.status.INVALID_ARGUMENT,
      details: "resource name required for pre-existing authentication",
    });
  });

  it("refuses a client RPC made as an exporter and an exporter RPC made as a client: object kind mismatch", async () => {
    assert.deepEqual(await refusal(listExporters(exporter)), { code: grpc.status.INVALID_ARGUMENT, details: "object kind mismatch" });
    assert.deepEqual(await refusal(register(client)), { code: grpc.status.INVALID_ARGUMENT, details: "object kind mismatch" });
  });

  it("refuses an exporter token presented as a client of the same name: PERMISSION_DENIED", async () => {
    await h.addClient("board-1");
    const metadata = withEntries(exporter, (m) => m.set("jumpstarter-kind", "Client"));
    assert.deepEqual(await refusal(listExporters(metadata)), { code: grpc.status.PERMISSION_DENIED, details: "permission denied for client default/board-1" });
  });

  it("refuses a token naming an object that does not exist", async () => {
    const metadata = withEntries(client, (m) => m.set("jumpstarter-name", "nobody"));
    assert.deepEqual(await refusal(listExporters(metadata)), {
      code: grpc.status.UNKNOWN,
      details: 'client default/nobody: clients.jumpstarter.dev "nobody" not found',
    });
  });

  it("refuses the token of a deleted and re-created client (the uid is part of the subject)", async () => {
    const { identity } = await h.addClient("recreated");
    await h.store.deleteClient("default", "recreated");
    await h.store.createClient({ namespace: "default", name: "recreated", labels: {} });
    assert.deepEqual(await refusal(listExporters(identity)), { code: grpc.status.PERMISSION_DENIED, details: "permission denied for client default/recreated" });
  });

  it("refuses a ClientService call on another namespace: namespace mismatch", async () => {
    const { code, details } = await refusal(h.unary("client", "listExporters", { parent: "namespaces/other" }, client));
    assert.deepEqual({ code, details }, { code: grpc.status.PERMISSION_DENIED, details: "namespace mismatch" });
  });

  it("derives an OIDC user's object name and authorizes it by the stored username", async () => {
    const name = "sso-example-com-alice-smith-example";
    const identity: Identity = { token: "oidc-alice", kind: "Client", namespace: "default", name };
    const noName = withEntries(identity, (m) => m.remove("jumpstarter-name"));
    assert.deepEqual(await refusal(listExporters(noName)), {
      code: grpc.status.UNKNOWN,
      details: `client default/${name}: clients.jumpstarter.dev "${name}" not found`,
    });
    await h.store.createClient({ namespace: "default", name, labels: {}, username: "https://sso.example.com#Alice.Smith@Example" });
    await listExporters(noName);
    await listExporters(identity);
    const wrongName = withEntries(identity, (m) => m.set("jumpstarter-name", "alice"));
    assert.deepEqual(await refusal(listExporters(wrongName)), {
      code: grpc.status.INVALID_ARGUMENT,
      details: `resource name mismatch: provided "alice" but expected "${name}" (derived from OIDC username "https://sso.example.com#Alice.Smith@Example")`,
    });
  });
});
