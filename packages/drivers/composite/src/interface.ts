/**
 * @module
 * The composite interface: a container with no methods of its own, only named children.
 */
import { defineInterface } from "@jumpstarter/core";

/** Python client class path reported by composite drivers. */
export const COMPOSITE_CLIENT = "jumpstarter_driver_composite.client.CompositeClient";

/** A driver that only groups children; `j` turns it into a command group. */
export const CompositeInterface = defineInterface({
  name: "composite",
  client: COMPOSITE_CLIENT,
  methods: {},
});
