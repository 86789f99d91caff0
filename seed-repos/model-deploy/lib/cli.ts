import { parseArgs } from 'util';

/**
 * Small helpers shared by the scripts in scripts/: every failure a user can cause (bad
 * arguments, missing environment, invalid configuration, AWS errors) ends as one line on
 * stderr and a non-zero exit code, never as a stack trace.
 */

/** A wrong or missing argument or environment variable. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of the scripts. */
export const ExitCode = {
  /** The check ran and failed (smoke test failures, invalid configuration, no approved model). */
  failure: 1,
  /** The script was called wrongly (arguments, environment variables). */
  usage: 2,
} as const;

/**
 * Returns a non-empty environment variable.
 * @throws UsageError naming the variable and what it is for
 */
export function requireEnv(name: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new UsageError(`environment variable ${name} is not set (${purpose})`);
  }
  return value;
}

/** Returns an environment variable that may be absent; blank counts as absent. */
export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[name]?.trim() || undefined;
}

/** Runs a script's main function and turns any error into a message and an exit code. */
export function runMain(scriptName: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`${scriptName}: ${e.name === 'Error' || e instanceof UsageError ? '' : `${e.name}: `}${e.message}\n`);
    process.exitCode = e instanceof UsageError ? ExitCode.usage : ExitCode.failure;
  });
}

/** Options a script accepts: `--name value` strings and `--flag` booleans. */
export type OptionSpec = Record<string, { readonly type: 'string' | 'boolean' }>;

/**
 * Parses `argv` strictly (unknown options and positional arguments are errors).
 * @throws UsageError with the script's usage text
 */
export function parseArguments<T extends OptionSpec>(
  argv: readonly string[],
  options: T,
  usage: string,
): { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean } {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return values as { [K in keyof T]?: T[K]['type'] extends 'string' ? string : boolean };
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}
