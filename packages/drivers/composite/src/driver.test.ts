import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLIENT_LABEL, Code, Driver, DriverClient, NAME_LABEL, exportMethod } from "@jumpstarter/core";
import { serve } from "@jumpstarter/core/testing";
import { CompositeClient } from "./client.js";
import { Composite, Proxy, ProxyConfigSchema, bindProxies } from "./driver.js";

const COUNTER_CLIENT = "test_driver.client.CounterClient";

class Counter extends Driver {
  count = 0;
  override client() {
    return COUNTER_CLIENT;
  }
  @exportMethod
  bump() {
    return ++this.count;
  }
}

class CounterClient extends DriverClient {
  async bump(): Promise<number> {
    return (await this.call("bump")) as number;
  }
}

describe("Composite", () => {
  it("reports children depth-first with names and parent links, and routes calls to nested children", async () => {
    const inner = new Counter();
    const root = new Composite({}, {
      description: "a bench",
      children: { first: new Counter(), group: new Composite({}, { children: { inner } }) },
    });
    await using served = await serve(root, { client: CompositeClient });
    const report = served.session.report().reports;
    assert.deepEqual(
      report.map((entry) => [entry.labels[NAME_LABEL] ?? null, entry.labels[CLIENT_LABEL], entry.parentUuid ?? null]),
      [
        [null, "jumpstarter_driver_composite.client.CompositeClient", null],
        ["first", COUNTER_CLIENT, root.uuid],
        ["group", "jumpstarter_driver_composite.client.CompositeClient", root.uuid],
        ["inner", COUNTER_CLIENT, root.children["group"]!.uuid],
      ],
    );
    assert.equal(report[0]!.description, "a bench");
    const client = served.client;
    assert.ok(client instanceof CompositeClient);
    assert.deepEqual(client.childNames, ["first", "group"]);
    const group = client.child("group", CompositeClient);
    assert.deepEqual(group.childNames, ["inner"]);
    assert.equal(await group.child("inner").call("bump"), 1);
    assert.equal(await client.path("group.inner").call("bump"), 2);
    assert.equal(inner.count, 2);
  });

  it("explains a missing child or a child of another type", async () => {
    await using served = await serve(new Composite({}, { children: { first: new Counter() } }), { client: CompositeClient });
    assert.throws(() => served.client.child("nope"), { code: Code.NOT_FOUND, message: /no child driver named "nope"; children: first/ });
    assert.throws(() => served.client.child("first", CompositeClient), /has client test_driver.client.CounterClient .* not CompositeClient/);
    assert.throws(() => served.client.path("first.x"), /not CompositeClient/);
  });

  it("rejects config keys it does not know", () => {
    assert.equal(Composite.configSchema.safeParse({}).success, true);
    assert.equal(Composite.configSchema.safeParse({ children: {} }).success, false);
  });
});

describe("Proxy", () => {
  function tree() {
    const target = new Counter();
    const root = new Composite({}, {
      children: {
        group: new Composite({}, { description: "grouped", children: { target } }),
        alias: new Proxy({ ref: "group.target" }),
        groupAlias: new Proxy({ ref: "group" }),
      },
    });
    return { root: bindProxies(root), target };
  }

  it("reports its target's entry under its own name and parent, and calls reach the target", async () => {
    const { root, target } = tree();
    await using served = await serve(root, { client: CompositeClient });
    const report = served.session.report().reports;
    const names = report.map((entry) => entry.labels[NAME_LABEL] ?? null);
    assert.deepEqual(names, [null, "group", "target", "alias", "groupAlias", "target"]);
    const alias = report[3]!;
    assert.equal(alias.uuid, target.uuid);
    assert.equal(alias.parentUuid, root.uuid);
    assert.equal(alias.labels[CLIENT_LABEL], COUNTER_CLIENT);
    const groupAlias = report[4]!;
    assert.equal(groupAlias.uuid, root.children["group"]!.uuid);
    assert.equal(groupAlias.description, "grouped");
    assert.equal(report[5]!.parentUuid, root.children["group"]!.uuid);

    const client = served.client;
    assert.equal(await client.child("alias").call("bump"), 1);
    assert.equal(await client.path("group.target").call("bump"), 2);
    assert.equal(await client.path("groupAlias.target").call("bump"), 3);
    assert.equal(target.count, 3);
    assert.equal(root.children["alias"]!.resolve(), target);
  });

  it("follows a proxy of a proxy", async () => {
    const target = new Counter();
    const root = bindProxies(
      new Composite({}, { children: { b: new Proxy({ ref: "a" }), a: new Proxy({ ref: "real" }), real: target } }),
    );
    assert.equal(root.children["b"]!.resolve(), target);
    assert.equal(root.children["b"]!.client(), COUNTER_CLIENT);
  });

  it("fails clearly on unknown refs, self references, cycles and unbound use", () => {
    assert.throws(
      () => bindProxies(new Composite({}, { children: { p: new Proxy({ ref: "group.missing" }), group: new Composite() } })),
      { code: Code.INVALID_ARGUMENT, message: "Proxy driver p references nonexistent driver group.missing" },
    );
    assert.throws(
      () => bindProxies(new Composite({}, { children: { g: new Composite({}, { children: { p: new Proxy({ ref: "g" }) } }) } })),
      /Proxy driver g.p references g, which contains the proxy itself/,
    );
    assert.throws(
      () => bindProxies(new Composite({}, { children: { a: new Proxy({ ref: "b.x" }), b: new Proxy({ ref: "a.x" }) } })),
      /proxy cycle/,
    );
    const unbound = new Composite({}, { children: { p: new Proxy({ ref: "x" }) } });
    assert.throws(() => [...unbound.enumerate()], /not bound; call bindProxies/);
  });

  it("validates its config strictly", () => {
    assert.equal(ProxyConfigSchema.safeParse({ ref: "a.b" }).success, true);
    for (const bad of [{}, { ref: "" }, { ref: "a..b" }, { ref: "a", extra: 1 }, { ref: 3 }]) {
      assert.equal(ProxyConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
