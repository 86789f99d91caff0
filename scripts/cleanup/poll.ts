import { CleanupError } from './errors';

/** How long to wait for an asynchronous deletion, and how to pause (tests pass an instant sleep). */
export interface WaitOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** CloudFormation deletes an endpoint stack in minutes; an hour is a stuck deletion, not a slow one. */
export const DEFAULT_WAIT: WaitOptions = { intervalMs: 10_000, timeoutMs: 60 * 60_000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until it returns a value (done) or throws (failed), pausing `intervalMs` between calls;
 * after `timeoutMs` fails naming `what`. Attempts are counted, not clock time, so tests are exact.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const attempts = Math.max(1, Math.ceil(options.timeoutMs / options.intervalMs));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await check();
    if (result !== undefined) return result;
    if (attempt < attempts) await sleep(options.intervalMs);
  }
  throw new CleanupError(`timed out after ${Math.round(options.timeoutMs / 60_000)} min waiting for ${what}; run the command again to keep waiting`);
}
