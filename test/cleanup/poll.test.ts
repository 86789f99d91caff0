import { CleanupError } from '../../scripts/cleanup/errors';
import { waitFor } from '../../scripts/cleanup/poll';

describe('waitFor', () => {
  test('returns the first value check gives, pausing the interval between checks', async () => {
    const sleeps: number[] = [];
    const answers = [undefined, undefined, 'done'];
    const result = await waitFor('x', async () => answers.shift(), { intervalMs: 250, timeoutMs: 10_000, sleep: async (ms) => { sleeps.push(ms); } });
    expect(result).toBe('done');
    expect(sleeps).toEqual([250, 250]);
  });

  test('fails naming what it waited for once timeoutMs / intervalMs checks gave nothing', async () => {
    let checks = 0;
    const waiting = waitFor('stack s to be deleted', async () => { checks++; return undefined; }, { intervalMs: 60_000, timeoutMs: 180_000, sleep: async () => {} });
    await expect(waiting).rejects.toThrow(new CleanupError('timed out after 3 min waiting for stack s to be deleted; run the command again to keep waiting'));
    expect(checks).toBe(3);
  });

  test('an error thrown by check ends the wait at once', async () => {
    let checks = 0;
    await expect(waitFor('x', async () => { checks++; throw new CleanupError('DELETE_FAILED'); }, { intervalMs: 1, timeoutMs: 100, sleep: async () => {} }))
      .rejects.toThrow('DELETE_FAILED');
    expect(checks).toBe(1);
  });
});
