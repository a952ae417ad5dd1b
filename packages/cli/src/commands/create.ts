/**
 * @module
 * `jmp create lease`: CreateLease from `-l` selectors and/or `-n` exporter name, a duration, optional begin
 * time, id, tags and context; prints the lease.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { parseOutput } from "../output/format.js";
import { collect, openSession, parsePairs } from "./client-options.js";

const CONTEXT_LIMITS = { entries: 8, key: 32, value: 64 } as const;

function leaseCommand(): CommandUnknownOpts {
  return new Command("lease")
    .aliases(["leases", "l"])
    .description("Request a lease on an exporter matching a selector (or a named exporter)")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("-l, --selector <selector>", "label selector of the exporter (repeatable)", collect, [] as string[])
    .option("-n, --name <exporter>", "lease this exporter")
    .option("--duration <duration>", "how long the lease lasts (required)")
    .option("--begin-time <time>", "start the lease at this time (ISO-8601)")
    .option("--lease-id <id>", "name of the new lease")
    .option("--tag <key=value>", "tag the lease (repeatable)", collect, [] as string[])
    .option("--allow-disabled", "allow a disabled exporter")
    .option("--context <key=value>", "context passed to the exporter (repeatable)", collect, [] as string[])
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      if (options.selector.length === 0 && options.name === undefined) throw new UsageError("one of -l/--selector or -n/--name is required");
      if (options.duration === undefined) throw new UsageError("missing --duration");
      const context = parsePairs(options.context, "--context");
      const entries = Object.entries(context);
      if (entries.length > CONTEXT_LIMITS.entries) throw new UsageError(`--context takes at most ${CONTEXT_LIMITS.entries} entries`);
      for (const [key, value] of entries) {
        if (key.length > CONTEXT_LIMITS.key) throw new UsageError(`--context key ${JSON.stringify(key)} is longer than ${CONTEXT_LIMITS.key} characters`);
        if (value.length > CONTEXT_LIMITS.value) throw new UsageError(`--context value of ${JSON.stringify(key)} is longer than ${CONTEXT_LIMITS.value} characters`);
      }
      const [{ parseDateTime, parseDuration }, { leaseView }, { printLease, warnDeprecated }] = await Promise.all([
        import("../distributed/durations.js"),
        import("../distributed/lease-view.js"),
        import("./lease-output.js"),
      ]);
      const durationMs = parseDuration(options.duration);
      const beginTime = options.beginTime !== undefined ? parseDateTime(options.beginTime) : undefined;
      const session = await openSession(options);
      try {
        const lease = await session.createLease({
          ...(options.selector.length > 0 ? { selector: options.selector.join(",") } : {}),
          ...(options.name !== undefined ? { exporterName: options.name } : {}),
          durationMs,
          ...(beginTime ? { beginTime } : {}),
          ...(options.leaseId !== undefined ? { leaseId: options.leaseId } : {}),
          tags: parsePairs(options.tag, "--tag"),
          context,
          allowDisabled: options.allowDisabled ?? false,
        });
        const view = leaseView(lease);
        warnDeprecated(view.deprecatedLabels);
        await printLease(view, output);
      } finally {
        session.close();
      }
    });
}

/** Defines `jmp create`. */
export function createCommand(): CommandUnknownOpts {
  const command = new Command("create").alias("c").description("Create resources on the controller");
  command.addCommand(leaseCommand());
  return command;
}
