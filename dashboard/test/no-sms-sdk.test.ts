import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

// A module hook that records every URL resolved, installed before the import under test.
const HOOK = `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}`;

/** Imports `specifier` in a fresh node process (from source, like the tests) and lists what it loaded. */
async function loadedBy(specifier: string): Promise<string[]> {
  const out = join(dir, `${specifier.replace(/\W/g, '_')}.txt`);
  await writeFile(out, '');
  const script = `import { register, createRequire } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)}, { data: { out: ${JSON.stringify(out)} } });
await import(${JSON.stringify(specifier)});
// CommonJS modules required from inside CommonJS do not pass the ESM hook: list the require cache too
const cache = Object.keys(createRequire(import.meta.url).cache);
(await import('node:fs')).appendFileSync(${JSON.stringify(out)}, cache.join('\\n'));`;
  await run(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
  return (await readFile(out, 'utf8')).split('\n').filter(Boolean);
}

const SMS_SDK = /node_modules\/(@alicloud\/|twilio\/)/;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-no-sms-'));
  await writeFile(join(dir, 'hook.mjs'), HOOK);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard does not load the SMS SDKs', () => {
  it('importing @tianwang/alerts does load them (the probe sees what it should)', async () => {
    const loaded = await loadedBy('@tianwang/alerts');
    expect(loaded.filter((u) => SMS_SDK.test(u)).length).toBeGreaterThan(0);
  }, 90_000);

  it('importing @tianwang/dashboard loads neither @alicloud/* nor twilio', async () => {
    const loaded = await loadedBy('@tianwang/dashboard');
    expect(loaded.some((u) => u.includes('/dashboard/src/index.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('/alerts/src/actions.ts'))).toBe(true);
    expect(loaded.filter((u) => SMS_SDK.test(u))).toEqual([]);
  }, 90_000);
});
