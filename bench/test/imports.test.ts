import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const BENCH = join(import.meta.dirname, '..');
const ROOT = join(BENCH, '..');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'results') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.(ts|mts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

// A benchmark measures the packages as they are published: through their entry points (package.json exports),
// not by reaching into another package's src/ (a moved file would break it, and it could use what is not exported).
describe('benchmark imports', () => {
  it('import workspace packages by name, never ../<package>/src', async () => {
    const reaching: string[] = [];
    for (const file of await sources(BENCH)) {
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]((?:\.\.\/)+[a-z-]+\/src\/[^'"]*)['"]/g)) reaching.push(`${relative(ROOT, file)}: ${m[1]}`);
    }
    expect(reaching).toEqual([]);
  });
});
