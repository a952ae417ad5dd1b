/**
 * @module
 * `HttpPower`: a power switch (PDU, smart plug) driven by HTTP requests, with readings parsed from a JSON
 * endpoint. Config keys are those of the reference `jumpstarter_driver_http_power.driver.HttpPower`.
 */
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { Driver, InvalidArgumentError, callSignal, exportMethod } from "@jumpstarter/core";
import { z } from "zod";
import { parseConfig } from "./config-error.js";
import { httpRequest } from "./http-request.js";
import type { PowerReading } from "./interface.js";
import { POWER_CLIENT, PowerInterface } from "./interface.js";

const EndpointSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "url must be an http:// or https:// URL" }),
    method: z.string().regex(/^[A-Za-z]+$/, "method must be an HTTP method name").default("GET"),
    data: z.string().nullish(),
    /** Dotted JSON path of the voltage in the read response (`emeter.0.voltage`); `voltage` by default. */
    voltage_path: z.string().min(1).nullish(),
    /** Dotted JSON path of the current in the read response; `current` by default. */
    current_path: z.string().min(1).nullish(),
  })
  .strict();

const CredentialsSchema = z.object({ user: z.string().default(""), password: z.string().default("") }).strict();

/** Config of {@link HttpPower}. */
export const HttpPowerConfigSchema = z
  .object({
    name: z.string().default("device"),
    power_on: EndpointSchema,
    power_off: EndpointSchema,
    power_read: EndpointSchema.nullish(),
    auth: z
      .object({ basic: CredentialsSchema.nullish(), digest: CredentialsSchema.nullish() })
      .strict()
      .refine((auth) => !(auth.basic && auth.digest), "auth.basic and auth.digest are mutually exclusive; configure only one of them")
      .nullish(),
  })
  .strict();
/** `config:` of HttpPower as written in YAML (defaults may be left out). */
export type HttpPowerConfig = z.input<typeof HttpPowerConfigSchema>;
type Endpoint = z.output<typeof EndpointSchema>;

/** How long one request may take before the call fails with DEADLINE_EXCEEDED. */
const REQUEST_TIMEOUT_MS = 30_000;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Switches power with configured HTTP requests; `read` parses one JSON measurement. */
export class HttpPower extends Driver implements DriverMethods<typeof PowerInterface> {
  static readonly configSchema = HttpPowerConfigSchema;
  readonly config: z.output<typeof HttpPowerConfigSchema>;

  constructor(config: HttpPowerConfig, options: DriverOptions = {}) {
    super(options);
    this.config = parseConfig("HttpPower", HttpPowerConfigSchema, config);
  }

  override client(): string {
    return POWER_CLIENT;
  }

  async #request(endpoint: Endpoint): Promise<string> {
    const method = endpoint.method.toUpperCase();
    this.logger.debug(`${method} ${endpoint.url}`);
    return httpRequest({
      url: endpoint.url,
      method,
      body: endpoint.data != null && BODY_METHODS.has(method) ? endpoint.data : undefined,
      basic: this.config.auth?.basic ?? undefined,
      digest: this.config.auth?.digest ?? undefined,
      signal: AbortSignal.any([callSignal(), AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  }

  @exportMethod
  async on(): Promise<void> {
    this.logger.info(`powering on ${this.config.name} via HTTP`);
    await this.#request(this.config.power_on);
  }

  @exportMethod
  async off(): Promise<void> {
    this.logger.info(`powering off ${this.config.name} via HTTP`);
    await this.#request(this.config.power_off);
  }

  @exportMethod
  async *read(): AsyncGenerator<PowerReading> {
    const endpoint = this.config.power_read;
    if (!endpoint) throw new InvalidArgumentError("power_read endpoint is not configured");
    const text = await this.#request(endpoint);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(`read endpoint did not return JSON: ${(error as Error).message}`);
    }
    yield {
      voltage: extractReading(data, endpoint.voltage_path, "voltage"),
      current: extractReading(data, endpoint.current_path, "current"),
    };
  }
}

/**
 * One number from the read response. A configured path that is missing is an error; a missing default
 * key means the device does not measure it (0).
 */
function extractReading(data: unknown, path: string | null | undefined, defaultKey: string): number {
  const key = path ?? defaultKey;
  const found = walk(data, key);
  if (!found.ok) {
    if (path != null) throw new InvalidArgumentError(`configured path ${JSON.stringify(key)} not found in read response`);
    return 0;
  }
  const value = found.value;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  throw new InvalidArgumentError(`value at ${JSON.stringify(key)} is not numeric (got ${value === null ? "null" : typeof value})`);
}

/** Follows `a.0.b` through objects (by key) and arrays (by index). */
function walk(data: unknown, path: string): { ok: true; value: unknown } | { ok: false } {
  let node = data;
  for (const part of path.split(".")) {
    if (Array.isArray(node)) {
      if (!/^-?\d+$/.test(part)) return { ok: false };
      const index = Number(part) < 0 ? node.length + Number(part) : Number(part);
      if (index < 0 || index >= node.length) return { ok: false };
      node = node[index];
    } else if (typeof node === "object" && node !== null && Object.hasOwn(node, part)) {
      node = (node as Record<string, unknown>)[part];
    } else {
      return { ok: false };
    }
  }
  return { ok: true, value: node };
}
