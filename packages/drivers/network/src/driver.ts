/**
 * @module
 * `@jumpstarter/driver-network/driver`: the exporter-side network drivers.
 */
export { HostPortNetwork, HostPortConfigSchema } from "./host-port-network.js";
export { TcpNetwork } from "./tcp.js";
export type { TcpNetworkConfig } from "./tcp.js";
export { UdpNetwork } from "./udp.js";
export type { UdpNetworkConfig } from "./udp.js";
export { UnixNetwork, UnixNetworkConfigSchema } from "./unix.js";
export type { UnixNetworkConfig } from "./unix.js";
export { WebsocketNetwork, WebsocketNetworkConfigSchema } from "./websocket.js";
export type { WebsocketNetworkConfig } from "./websocket.js";
export { EchoNetwork, EchoNetworkConfigSchema } from "./echo.js";
export type { EchoNetworkConfig } from "./echo.js";
export { NetworkDriver } from "./network-driver.js";
export { UdpStream, MAX_QUEUED_DATAGRAMS } from "./udp-stream.js";
export { WebsocketStream } from "./websocket-stream.js";
