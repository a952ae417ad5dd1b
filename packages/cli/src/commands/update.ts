/**
 * @module
 * `jmp update lease NAME`: change a lease's duration or begin time, or transfer it to another client.
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { UsageError } from "../errors.js";
import { parseOutput } from "../output/format.js";
import { openSession } from "./client-options.js";

function leaseCommand(): CommandUnknownOpts {
  return new Command("lease")
    .aliases(["leases", "l"])
    .description("Change a lease: --duration, --begin-time, --to-client")
    .argument("<name>", "the lease")
    .option("--client <alias>", "use the saved client config ALIAS")
    .option("--client-config <path>", "use the client config in PATH")
    .option("--duration <duration>", "new duration")
    .option("--begin-time <time>", "new begin time (ISO-8601), only before the lease started")
    .option("--to-client <client>", "transfer the lease to CLIENT (same namespace)")
    .option("-o, --output <format>", "json, yaml or name")
    .action(async (name, options) => {
      const output = parseOutput(options.output, ["json", "yaml", "name"] as const);
      if (options.duration === undefined && options.beginTime === undefined && options.toClient === undefined) {
        throw new UsageError("nothing to update: give --duration, --begin-time or --to-client");
      }
      const [{ parseDateTime, parseDuration }, { leaseView }, { printLease }] = await Promise.all([
        import("../distributed/durations.js"),
        import("../distributed/lease-view.js"),
        import("./lease-output.js"),
      ]);
      const durationMs = options.duration !== undefined ? parseDuration(options.duration) : undefined;
      const beginTime = options.beginTime !== undefined ? parseDateTime(options.beginTime) : undefined;
      const session = await openSession(options);
      try {
        const lease = await session.updateLease(name, {
          ...(durationMs !== undefined ? { durationMs } : {}),
          ...(beginTime ? { beginTime } : {}),
          ...(options.toClient !== undefined ? { toClient: options.toClient } : {}),
        });
        await printLease(leaseView(lease), output);
      } finally {
        session.close();
      }
    });
}

/** Defines `jmp update`. */
export function updateCommand(): CommandUnknownOpts {
  const command = new Command("update").description("Update resources on the controller");
  command.addCommand(leaseCommand());
  return command;
}
