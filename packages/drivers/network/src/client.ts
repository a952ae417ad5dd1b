/**
 * @module
 * `NetworkClient`: the client of every network driver (`jumpstarter_driver_network.client.NetworkClient`).
 */
import type { Duplex } from "node:stream";
import type { CallOptions } from "@jumpstarter/core";
import { InterfaceClient, registerClientClass } from "@jumpstarter/core";
import { DatagramStream } from "./datagram-stream.js";
import type { ForwardOptions, PortForward } from "./forward.js";
import { forwardTcp, forwardUnix } from "./forward.js";
import { NETWORK_CLIENT_LABEL, NetworkInterface } from "./interface.js";

/** A network service behind the exporter: raw streams, its address, and local port forwards. */
export class NetworkClient extends InterfaceClient<typeof NetworkInterface> {
  /**
   * The address the service can be reached at directly (`tcp://host:port`, `udp://host:port`, a
   * websocket URL). Fails with INVALID_ARGUMENT when the exporter disabled it, NOT_FOUND when the driver
   * has none (unix, echo).
   */
  address(): Promise<string> {
    return this.invoke("address");
  }

  /**
   * Opens a byte stream to the service. End it to half-close; the read side ends when the service closes
   * its side. Destroy it to drop the connection.
   */
  connect(options?: CallOptions): Promise<Duplex> {
    return this.stream("connect", options);
  }

  /**
   * Opens the stream in datagram mode (object mode): each write is sent as one datagram / message and
   * each datagram / message received is read as one Buffer. Use it with `UdpNetwork`.
   */
  async connectDatagrams(options?: CallOptions): Promise<Duplex> {
    return new DatagramStream(await this.connect(options));
  }

  /** Listens on local TCP `host:port` (port 0 picks a free one); each accepted connection gets its own stream. */
  forwardTcp(port = 0, host = "127.0.0.1", options: ForwardOptions = {}): Promise<PortForward> {
    return forwardTcp(() => this.connect(), port, host, options);
  }

  /** Listens on the local unix socket `path`; each accepted connection gets its own stream. */
  forwardUnix(path: string, options: ForwardOptions = {}): Promise<PortForward> {
    return forwardUnix(() => this.connect(), path, options);
  }
}

registerClientClass(NETWORK_CLIENT_LABEL, NetworkClient);
