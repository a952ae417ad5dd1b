/**
 * @module
 * Errors the command line reports as one line: usage mistakes (exit 2), configuration problems with their
 * file and line, and everything else (exit 1).
 */

/** An error the CLI prints as `Error: <message>` and exits with {@link CliError.exitCode}. */
export class CliError extends Error {
  /** Process exit code: 1 for failures, 2 for usage errors and cancellation. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** A mistake in how a command was called (exit code 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Where in a configuration file a problem is. */
export interface ConfigLocation {
  /** The file as the user named it. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** Dotted key path, e.g. `export.power.config.port`. */
  readonly path?: string;
}

/** A problem in a configuration file: `lab.yaml:12 export.power.config.port: expected a number`. */
export class ConfigError extends CliError {
  readonly location: ConfigLocation;
  readonly detail: string;

  constructor(location: ConfigLocation, detail: string, options?: { cause?: unknown }) {
    super(formatLocation(location) + detail, 1, options);
    this.location = location;
    this.detail = detail;
  }
}

function formatLocation({ file, line, path }: ConfigLocation): string {
  const where = line !== undefined ? `${file}:${line}` : file;
  return path ? `${where} ${path}: ` : `${where}: `;
}
