import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanLog } from '../src/log-scan.js';

describe('scanLog', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('counts errors, unhandled rejections, warnings and the broker holding publishes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-logscan-'));
    dirs.push(dir);
    const file = join(dir, 'broker-1.log');
    const lines = [
      { level: 'info', msg: 'listening' },
      { level: 'warn', msg: 'uplink stream over its maximum: holding device publishes until consumers catch up', length: 2_100_000 },
      { level: 'info', msg: 'uplink stream below its maximum again: resuming' },
      { level: 'warn', msg: 'uplink write to Redis failed; retrying' },
      { level: 'error', msg: 'store failed', err: { code: 'TW_X', message: 'boom' } },
    ].map((l) => JSON.stringify(l));
    await writeFile(file, `${lines.join('\n')}\nUnhandledPromiseRejection: oops\n`);
    const f = await scanLog('broker-1', file);
    expect(f).toMatchObject({ name: 'broker-1', errors: 1, unhandled: 1, warnings: 2, backpressure: 1 });
    expect(f.examples[0]).toBe('store failed (TW_X boom)');
  });
});
