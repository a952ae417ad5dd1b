/**
 * @module
 * The network interface: a raw byte stream to a network service (`connect`) and, for drivers that can
 * tell, the address a client could reach directly (`address`). Wire names and label follow the reference
 * `jumpstarter_driver_network` package.
 */
import { byteStream, defineInterface, unary } from "@jumpstarter/core";
import type { DriverMethods } from "@jumpstarter/core";

/** Python client class path reported by every network driver. */
export const NETWORK_CLIENT_LABEL = "jumpstarter_driver_network.client.NetworkClient";

/**
 * `connect` opens a byte stream to the service; `address()` returns its URL (`tcp://host:port`,
 * `udp://host:port`, or the websocket URL).
 */
export const NetworkInterface = defineInterface({
  name: "network",
  client: NETWORK_CLIENT_LABEL,
  methods: {
    connect: byteStream(),
    address: unary<[], string>(),
  },
});

/** Methods of a network driver that exports both `connect` and `address` (TCP, UDP, websocket). */
export type AddressableNetworkMethods = DriverMethods<typeof NetworkInterface>;

/** Methods of a network driver that only exports `connect` (unix, echo), as in the reference. */
export type StreamNetworkMethods = Pick<DriverMethods<typeof NetworkInterface>, "connect">;
