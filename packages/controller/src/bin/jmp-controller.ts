#!/usr/bin/env node
/**
 * @module
 * The `jmp-controller` command: the controller (with its router) by default, `jmp-controller router` for a router
 * process on its own.
 */
import { parseArgs } from "node:util";
import type { DriverLogger } from "@jumpstarter/core";
import { runController } from "./controller-command.js";
import type { ControllerSettings } from "./controller-command.js";
import { controllerTls } from "./controller-command.js";
import { parseSeverity, stderrLogger } from "./logger.js";
import { defaultDatabase, stateDirFor } from "./paths.js";
import { runRouter } from "./router-command.js";

const controllerHelp = `Usage: jmp-controller [options]
       jmp-controller router [options]

Serves jumpstarter.v1.ControllerService, jumpstarter.client.v1.ClientService and grpc.health.v1 over TLS, and
jumpstarter.v1.RouterService (on the same port unless --router-listen says otherwise).

Options:
  --listen HOST:PORT          listen address (default 0.0.0.0:8082)
  --endpoint HOST:PORT        advertised controller endpoint (default localhost:PORT for wildcard listeners)
  --router-listen VALUE       same (default: RouterService on the controller port), none, or HOST:PORT
  --router-endpoint HOST:PORT advertised endpoint of this process's router
  --config FILE               YAML with the router map (router:) and settings (config:)
  --router-key KEY            HMAC key of router tokens (env ROUTER_KEY; default: generated, kept in the database)
  --controller-key SEED       seed of the token signing key (env CONTROLLER_KEY; default: generated, kept in the database)
  --database PATH|URL         SQLite file or postgres://… (default ${defaultDatabase()})
  --state-dir DIR             generated TLS material and controller.json (default: the database's directory)
  --namespace NAME            the namespace served (env NAMESPACE; default "default")
  --tls-cert FILE             server certificate (PEM); with --tls-key. Default: a certificate from a generated CA
  --tls-key FILE              server private key (PEM)
  --tls-ca FILE               CA bundle that admin commands put into configs (default: the certificate)
  --plaintext                 no TLS (tests only: reference clients always use TLS)
  --print-ca                  print the CA bundle (PEM) and exit
  --log-level LEVEL           DEBUG, INFO (default), WARNING, ERROR
  -h, --help                  show this help
`;

const routerHelp = `Usage: jmp-controller router [options]

Serves jumpstarter.v1.RouterService on its own.

Options:
  --listen HOST:PORT      listen address (default 0.0.0.0:8083)
  --endpoint HOST:PORT    advertised endpoint, used for the certificate's names
  --router-key KEY        HMAC key of router tokens (env ROUTER_KEY; default: read from --database)
  --database PATH|URL     the controller's database, to read the router key (default ${defaultDatabase()})
  --state-dir DIR         where the controller's generated CA lives (default: the database's directory)
  --tls-cert FILE         server certificate (PEM); with --tls-key
  --tls-key FILE          server private key (PEM)
  --plaintext             no TLS (tests only)
  --log-level LEVEL       DEBUG, INFO (default), WARNING, ERROR
  -h, --help              show this help
`;

type Values = Record<string, string | boolean | undefined>;

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

function parse(argv: readonly string[], extra: Record<string, { type: "string" | "boolean" }>): Values {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      listen: { type: "string" },
      endpoint: { type: "string" },
      "router-key": { type: "string" },
      database: { type: "string" },
      "state-dir": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      plaintext: { type: "boolean" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
      ...extra,
    },
  }).values as Values;
}

function untilSignal(logger: DriverLogger, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`${signal}: shutting down`);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void close().then(resolve, (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function controllerMain(argv: readonly string[]): Promise<number> {
  const values = parse(argv, {
    "router-listen": { type: "string" },
    "router-endpoint": { type: "string" },
    config: { type: "string" },
    "controller-key": { type: "string" },
    namespace: { type: "string" },
    "tls-ca": { type: "string" },
    "print-ca": { type: "boolean" },
  });
  if (values["help"]) {
    process.stdout.write(controllerHelp);
    return 0;
  }
  const logger = stderrLogger(parseSeverity(text(values, "log-level") ?? "INFO"));
  const database = text(values, "database") ?? defaultDatabase();
  const settings: ControllerSettings = {
    listen: text(values, "listen") ?? "0.0.0.0:8082",
    routerListen: text(values, "router-listen") ?? "same",
    database,
    namespace: text(values, "namespace") ?? process.env["NAMESPACE"] ?? "default",
    plaintext: values["plaintext"] === true,
    ...optional("endpoint", text(values, "endpoint")),
    ...optional("routerEndpoint", text(values, "router-endpoint")),
    ...optional("configFile", text(values, "config")),
    ...optional("routerKey", text(values, "router-key") ?? process.env["ROUTER_KEY"]),
    ...optional("controllerKey", text(values, "controller-key") ?? process.env["CONTROLLER_KEY"]),
    ...optional("stateDir", text(values, "state-dir")),
    ...optional("tlsCert", text(values, "tls-cert")),
    ...optional("tlsKey", text(values, "tls-key")),
    ...optional("tlsCa", text(values, "tls-ca")),
  };
  if (values["print-ca"]) {
    const tls = await controllerTls(settings, settings.stateDir ?? stateDirFor(database));
    if (!tls) throw new Error("--print-ca: a plaintext controller has no CA");
    process.stdout.write(tls.ca.endsWith("\n") ? tls.ca : `${tls.ca}\n`);
    return 0;
  }
  const running = await runController(settings, logger);
  await untilSignal(logger, running.close);
  return 0;
}

async function routerMain(argv: readonly string[]): Promise<number> {
  const values = parse(argv, {});
  if (values["help"]) {
    process.stdout.write(routerHelp);
    return 0;
  }
  const logger = stderrLogger(parseSeverity(text(values, "log-level") ?? "INFO"));
  const running = await runRouter(
    {
      listen: text(values, "listen") ?? "0.0.0.0:8083",
      database: text(values, "database") ?? defaultDatabase(),
      plaintext: values["plaintext"] === true,
      ...optional("endpoint", text(values, "endpoint")),
      ...optional("routerKey", text(values, "router-key") ?? process.env["ROUTER_KEY"]),
      ...optional("stateDir", text(values, "state-dir")),
      ...optional("tlsCert", text(values, "tls-cert")),
      ...optional("tlsKey", text(values, "tls-key")),
    },
    logger,
  );
  await untilSignal(logger, running.close);
  return 0;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === "" ? {} : { [key]: value }) as { [P in K]?: string };
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    return argv[0] === "router" ? await routerMain(argv.slice(1)) : await controllerMain(argv);
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
