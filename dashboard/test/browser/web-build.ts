import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** what the web app is built from: its own source and config, core's sources it imports, the locked dependencies */
const INPUTS = ['dashboard/web', 'core/src', 'package-lock.json'];

async function* files(path: string): AsyncGenerator<string> {
  const s = await stat(path);
  if (s.isFile()) return yield path;
  for (const e of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    yield* files(join(path, e.name));
  }
}

/** A hash of every input's path and bytes: equal hashes build equal apps. */
export async function webSourceHash(): Promise<string> {
  const h = createHash('sha256');
  for (const input of INPUTS)
    for await (const f of files(join(ROOT, input))) h.update(relative(ROOT, f)).update('\0').update(await readFile(f)).update('\0');
  return h.digest('hex').slice(0, 20);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/** Builds of other source states unused for a day go: one is kept per source state, and sources change often. */
const STALE_MS = 24 * 3600_000;

async function pruneStaleBuilds(keep: string): Promise<void> {
  const dir = tmpdir();
  for (const name of await readdir(dir)) {
    if (!name.startsWith('tw-web-') || name.startsWith('tw-web-build-')) continue;
    const path = join(dir, name);
    if (path === keep) continue;
    const s = await stat(path).catch(() => undefined);
    // another worktree's run may be serving a build right now: only what nobody built or used for a day
    if (s && Date.now() - Math.max(s.mtimeMs, s.atimeMs) > STALE_MS) await rm(path, { recursive: true, force: true });
  }
}

/**
 * The web app built with Vite (what `npm run build` puts in dist/web) from today's sources, once per source state:
 * every browser test file used to build its own (20–40 s each on this machine, 11 files), now the first one builds into
 * <tmp>/tw-web-<hash> and the others, and later runs on the same sources, use it. A build goes to a temporary folder
 * first and is renamed into place, so a concurrent test file never serves a half-written app. Do not delete it; a new
 * build removes those of other source states that nobody built or used for a day.
 */
export async function buildWebApp(): Promise<string> {
  const out = join(tmpdir(), `tw-web-${await webSourceHash()}`);
  if (await exists(join(out, 'index.html'))) return out;
  const temp = await mkdtemp(join(tmpdir(), 'tw-web-build-'));
  await build({ configFile: join(ROOT, 'dashboard/web/vite.config.ts'), logLevel: 'warn', build: { outDir: temp, emptyOutDir: true } });
  try {
    await rename(temp, out);
  } catch (err) {
    // another test file finished the same build first: use its copy
    await rm(temp, { recursive: true, force: true });
    if (!(await exists(join(out, 'index.html')))) throw err;
  }
  await pruneStaleBuilds(out);
  return out;
}
