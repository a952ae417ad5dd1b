/**
 * @module
 * Storage interfaces: a storage mux (an SD card or disk switched between the exporter and the DUT) and a
 * flasher (images written to named targets). Labels and method names are the reference opendal driver's.
 */
import { defineInterface, unary } from "@jumpstarter/core";
import type { ResourceHandle } from "@jumpstarter/core";

const storageMuxMethods = {
  /** Connect the storage to the exporter. */
  host: unary<[], null>(),
  /** Connect the storage to the DUT. */
  dut: unary<[], null>(),
  /** Disconnect the storage from both. */
  off: unary<[], null>(),
  /** Write the resource's bytes to the storage. */
  write: unary<[source: ResourceHandle], null>(),
  /** Read the storage into the resource. */
  read: unary<[target: ResourceHandle], null>(),
};

/** A storage mux (`host`, `dut`, `off`, `write`, `read`). */
export const StorageMuxInterface = defineInterface({
  name: "StorageMux",
  client: "jumpstarter_driver_opendal.client.StorageMuxClient",
  methods: storageMuxMethods,
});

/** The same methods, reported with the client that adds `flash`/`dump` on top (SD-Wire, Dutlink). */
export const StorageMuxFlasherInterface = defineInterface({
  name: "StorageMuxFlasher",
  client: "jumpstarter_driver_opendal.client.StorageMuxFlasherClient",
  methods: storageMuxMethods,
});

/** A flasher: `flash(source, target)` and `dump(target_resource, target)`; `target` null means the default. */
export const FlasherInterface = defineInterface({
  name: "Flasher",
  client: "jumpstarter_driver_opendal.client.FlasherClient",
  methods: {
    flash: unary<[source: ResourceHandle, target: string | null], null>(),
    dump: unary<[target: ResourceHandle, partition: string | null], null>(),
  },
});
