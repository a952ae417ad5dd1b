/**
 * @module
 * The router's `RouterService.Stream`: authenticate the router token, then pair calls by stream id (the token's
 * `sub`). The first caller waits; the second with the same id is relayed to it. Pairing state is in memory, so
 * one router process serves an endpoint.
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import type { DriverLogger } from "@jumpstarter/core";
import { Code, silentLogger, toStatus } from "@jumpstarter/core";
import { authenticateRouterCall, routerKeyBytes } from "./router-auth.js";
import type { FrameCall, RelayEnd } from "./relay.js";
import { relayFrames } from "./relay.js";

/** Options of a {@link StreamRouter}. */
export interface StreamRouterOptions {
  /** The HMAC key shared with the controller that mints the tokens (`ROUTER_KEY`). */
  readonly key: string | Uint8Array;
  readonly logger?: DriverLogger;
}

/** Counters of a router, for tests and benchmarks. */
export interface StreamRouterStats {
  /** Calls waiting for their peer. */
  readonly waiting: number;
  /** Pairs being relayed. */
  readonly relaying: number;
  /** Pairs relayed so far, ended or not. */
  readonly paired: number;
}

/** Pairs and relays router streams. Serve {@link StreamRouter.service} with `routerServiceDefinition`. */
export class StreamRouter {
  readonly #key: Uint8Array;
  readonly #logger: DriverLogger;
  readonly #waiting = new Map<string, { readonly call: FrameCall; readonly leave: () => void }>();
  readonly #active = new Set<FrameCall>();
  #paired = 0;
  #closed = false;

  constructor(options: StreamRouterOptions) {
    this.#key = routerKeyBytes(options.key);
    this.#logger = options.logger ?? silentLogger;
  }

  /** The grpc-js implementation of `jumpstarter.v1.RouterService`. */
  get service(): UntypedServiceImplementation {
    return { Stream: (call: FrameCall) => void this.#stream(call) };
  }

  /** Current counters. */
  get stats(): StreamRouterStats {
    return { waiting: this.#waiting.size, relaying: this.#active.size / 2, paired: this.#paired };
  }

  /** Ends every waiting and relayed call (UNAVAILABLE). */
  close(): void {
    this.#closed = true;
    const calls = [...[...this.#waiting.values()].map((entry) => entry.call), ...this.#active];
    this.#waiting.clear();
    this.#active.clear();
    for (const call of calls) call.emit("error", { code: Code.UNAVAILABLE, details: "router shutting down" });
  }

  async #stream(call: FrameCall): Promise<void> {
    let streamId: string;
    try {
      streamId = await authenticateRouterCall(call.metadata, this.#key);
    } catch (error) {
      call.emit("error", toStatus(error));
      return;
    }
    if (call.cancelled) return;
    if (this.#closed) {
      call.emit("error", { code: Code.UNAVAILABLE, details: "router shutting down" });
      return;
    }
    const waiting = this.#waiting.get(streamId);
    if (!waiting) {
      this.#wait(streamId, call);
      return;
    }
    waiting.leave();
    const peer = waiting.call;
    this.#paired++;
    this.#active.add(peer).add(call);
    this.#logger.debug(`router: stream ${streamId} paired`);
    const end: RelayEnd = await relayFrames(peer, call);
    this.#active.delete(peer);
    this.#active.delete(call);
    this.#logger.debug(`router: stream ${streamId} ended: ${end.reason}`);
  }

  #wait(streamId: string, call: FrameCall): void {
    const leave = () => {
      if (this.#waiting.get(streamId)?.call === call) this.#waiting.delete(streamId);
      call.off("cancelled", leave);
      call.off("error", leave);
      call.off("finish", leave);
    };
    call.on("cancelled", leave);
    call.on("error", leave);
    call.on("finish", leave);
    this.#waiting.set(streamId, { call, leave });
    this.#logger.debug(`router: stream ${streamId} waiting for its peer`);
  }
}
