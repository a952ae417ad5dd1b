/**
 * @module
 * What `jmp-controller` does: open the store and the token keys, set up TLS (given files or the generated CA),
 * start the services, record `controller.json`, and serve until stopped.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { DriverLogger } from "@jumpstarter/core";
import { TokenIssuer } from "../auth/tokens.js";
import { RouterTokens } from "../auth/tokens-router.js";
import { startController } from "../service/controller-server.js";
import type { RunningController } from "../service/controller-server.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { ensureSelfSignedTls, loadTlsFiles } from "../tls/self-signed.js";
import type { TlsMaterial } from "../tls/self-signed.js";
import { endpointHost } from "../tls/subject-names.js";
import { loadControllerConfig } from "./config-file.js";
import { writeControllerInfo } from "./controller-info.js";
import type { ControllerInfo } from "./controller-info.js";
import { advertisedFor, portOf, withPort } from "./endpoints.js";
import { isPostgres, stateDirFor } from "./paths.js";

/** Settings of a controller process (the command-line options). */
export interface ControllerSettings {
  readonly listen: string;
  readonly endpoint?: string;
  /** `same`, `none` or `host:port`. */
  readonly routerListen: string;
  readonly routerEndpoint?: string;
  readonly configFile?: string;
  readonly routerKey?: string;
  readonly database: string;
  readonly stateDir?: string;
  readonly namespace: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  /** Serve without TLS (tests and benchmarks; reference clients always use TLS). */
  readonly plaintext?: boolean;
  /** Seed of the internal token signing key (`CONTROLLER_KEY`). */
  readonly controllerKey?: string;
}

/** A started controller process. */
export interface ControllerProcess {
  readonly controller: RunningController;
  readonly store: Store;
  readonly info: ControllerInfo;
  readonly stateDir: string;
  close(): Promise<void>;
}

/** The TLS material a controller with `settings` presents (generating it when no files are given). */
export async function controllerTls(settings: ControllerSettings, stateDir: string): Promise<TlsMaterial | undefined> {
  if (settings.plaintext) return undefined;
  if (settings.tlsCert || settings.tlsKey) {
    if (!settings.tlsCert || !settings.tlsKey) throw new Error("--tls-cert and --tls-key go together");
    return loadTlsFiles(settings.tlsCert, settings.tlsKey, settings.tlsCa);
  }
  const hosts = [endpointHost(settings.endpoint ?? advertisedFor(settings.listen))];
  if (settings.routerEndpoint) hosts.push(endpointHost(settings.routerEndpoint));
  return ensureSelfSignedTls(join(stateDir, "tls"), hosts);
}

/** Starts a controller process. */
export async function runController(settings: ControllerSettings, logger: DriverLogger): Promise<ControllerProcess> {
  const stateDir = resolve(settings.stateDir ?? stateDirFor(settings.database));
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  if (!isPostgres(settings.database) && settings.database !== ":memory:") {
    await mkdir(dirname(resolve(settings.database.replace(/^sqlite:/, ""))), { recursive: true });
  }
  const fileConfig = settings.configFile ? await loadControllerConfig(settings.configFile) : {};
  const tls = await controllerTls(settings, stateDir);
  const store = await openStore(settings.database);
  try {
    const issuer = await TokenIssuer.open(store, {
      ...(settings.controllerKey ? { seed: settings.controllerKey } : {}),
      ...(fileConfig.tokenLifetimeMs !== undefined ? { lifetimeMs: fileConfig.tokenLifetimeMs } : {}),
      ...(fileConfig.internalPrefix !== undefined ? { prefix: fileConfig.internalPrefix } : {}),
    });
    const routerTokens = await RouterTokens.open(store, settings.routerKey);
    let endpoint = settings.endpoint;
    const controller = await startController({
      store,
      namespace: settings.namespace,
      address: settings.listen,
      ...(tls ? { tls } : {}),
      routerListen: settings.routerListen,
      routerKey: routerTokens.key,
      ...(fileConfig.routers ? { routers: fileConfig.routers } : {}),
      routerEndpoint: (bound) => settings.routerEndpoint ?? (settings.routerListen === "same" ? (endpoint ?? advertisedFor(bound)) : withPort(endpoint ?? advertisedFor(bound), portOf(bound))),
      verifier: issuer,
      tokens: issuer,
      routerTokens,
      logger,
      ...(fileConfig.internalPrefix !== undefined ? { internalPrefix: fileConfig.internalPrefix } : {}),
      ...(fileConfig.maxTags !== undefined ? { maxTags: fileConfig.maxTags } : {}),
      resources: {
        ...(fileConfig.hiddenLabels ? { hiddenLabels: fileConfig.hiddenLabels } : {}),
        ...(fileConfig.deprecatedLabels ? { deprecatedLabels: fileConfig.deprecatedLabels } : {}),
      },
    });
    endpoint ??= advertisedFor(controller.address);
    const info: ControllerInfo = { endpoint, namespace: settings.namespace, ca: tls?.ca ?? "" };
    await writeControllerInfo(stateDir, info);
    logger.info(`controller serving namespace ${settings.namespace} on ${controller.address} (endpoint ${endpoint}${tls ? ", TLS" : ", plaintext"})`);
    if (controller.routerAddress) logger.info(`router serving on ${controller.routerAddress}`);
    for (const router of controller.routers) logger.info(`router ${router.name}: ${router.endpoint} ${JSON.stringify(router.labels)}`);
    logger.info(`database ${isPostgres(settings.database) ? "postgresql" : settings.database}, state in ${stateDir}`);
    let closing: Promise<void> | undefined;
    return {
      controller,
      store,
      info,
      stateDir,
      close: () =>
        (closing ??= (async () => {
          await controller.close();
          await store.close();
        })()),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
