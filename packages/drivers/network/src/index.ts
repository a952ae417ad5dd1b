/**
 * @module
 * `@jumpstarter/driver-network`: the network interface, `NetworkClient` and its client-side adapters.
 * Exporter-side drivers are in `@jumpstarter/driver-network/driver`.
 */
export { NetworkInterface, NETWORK_CLIENT_LABEL } from "./interface.js";
export type { AddressableNetworkMethods, StreamNetworkMethods } from "./interface.js";
export { NetworkClient } from "./client.js";
export { DatagramStream } from "./datagram-stream.js";
export { forwardTcp, forwardUnix, splice } from "./forward.js";
export type { PortForward, ForwardOptions } from "./forward.js";
export { formatAddress } from "./address.js";
