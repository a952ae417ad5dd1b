/**
 * @module
 * The serial port interface: the method table shared by the `PySerial` driver and `PySerialClient`.
 */
import { byteStream, defineInterface, unary } from "@jumpstarter/core";

/** Client label of every serial driver, as the reference reports it. */
export const PYSERIAL_CLIENT = "jumpstarter_driver_pyserial.client.PySerialClient";

/**
 * Serial port: `connect` is a raw byte stream over the port; `set_dtr`/`set_rts` drive the modem control
 * lines; `close` drops the active connection.
 */
export const PySerialInterface = defineInterface({
  name: "PySerial",
  client: PYSERIAL_CLIENT,
  methods: {
    connect: byteStream(),
    close: unary<[], void>(),
    set_dtr: unary<[value: boolean], null>(),
    set_rts: unary<[value: boolean], null>(),
  },
});
