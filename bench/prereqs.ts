/**
 * What each benchmark runs besides our own code: the servers it measures against (peers) and the tools it drives.
 * Declared once here, so that a missing one is one clear line naming its Debian package instead of a crash, and
 * bench/test/prereqs.test.ts can check that every tool a benchmark starts is declared, that
 * `scripts/install.sh --with-bench` installs every declared package (scripts/services.sh keeps the same list in
 * shell), and that each is found after the install.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type BenchName = 'broker' | 'ingest' | 'alerts' | 'streams' | 'sim' | 'dashboard';

export interface Prereq {
  /** a command looked up on PATH, or an absolute path of a file (a module, a font) */
  need: string;
  /** the Debian package that provides it */
  pkg: string;
  /** what is lost without it: `required` stops the benchmark, anything else names the part that is skipped */
  role: 'required' | string;
}

const redis: Prereq = { need: 'redis-server', pkg: 'redis-server', role: 'required' };
// pins the measured process and the load generator to different cores
const taskset: Prereq = { need: 'taskset', pkg: 'util-linux', role: 'required' };

export const PREREQS: Record<BenchName, Prereq[]> = {
  broker: [redis, taskset, { need: 'mosquitto', pkg: 'mosquitto', role: 'the mosquitto comparison' }],
  ingest: [redis, { need: 'influxd', pkg: 'influxdb', role: 'required' }],
  alerts: [redis, taskset],
  streams: [
    { need: 'ffmpeg', pkg: 'ffmpeg', role: 'required' },
    { need: 'initdb', pkg: 'postgresql', role: 'the PostgreSQL registry (the relay runs on embedded PGlite instead)' },
    { need: 'nginx', pkg: 'nginx', role: 'the nginx-rtmp comparison' },
    { need: '/usr/lib/nginx/modules/ngx_rtmp_module.so', pkg: 'libnginx-mod-rtmp', role: 'the nginx-rtmp comparison' },
  ],
  sim: [{ need: 'mosquitto', pkg: 'mosquitto', role: 'required' }],
  dashboard: [
    redis,
    { need: 'influxd', pkg: 'influxdb', role: 'required' },
    { need: 'initdb', pkg: 'postgresql', role: 'the PostgreSQL registry (PGlite inside the dashboard instead)' },
    { need: 'chromium', pkg: 'chromium', role: 'the board first-render measurement' },
    // the 16-tile wall also needs chromium and PostgreSQL (its relay process shares the dashboard's registry)
    { need: 'ffmpeg', pkg: 'ffmpeg', role: 'the video wall' },
  ],
};

/** Every Debian package some benchmark needs (scripts/services.sh installs this list with --with-bench). */
export const BENCH_PACKAGES = [...new Set(Object.values(PREREQS).flatMap((list) => list.map((p) => p.pkg)))].sort();

const POSTGRES_BINS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

/** True when the command is on PATH (or in Debian's PostgreSQL folder, as startPostgres looks there) or the file exists. */
export function found(need: string): boolean {
  const candidates = need.startsWith('/')
    ? [need]
    : [...(process.env.PATH ?? '').split(delimiter), ...POSTGRES_BINS].filter(Boolean).map((dir) => join(dir, need));
  return candidates.some((path) => {
    try {
      accessSync(path, need.startsWith('/') ? constants.R_OK : constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function missingFor(bench: BenchName): Prereq[] {
  return PREREQS[bench].filter((p) => !found(p.need));
}

/** One line per missing prerequisite, naming the package and what is skipped. */
export function describeMissing(bench: BenchName, list: Prereq[]): string[] {
  return list.map((p) =>
    p.role === 'required'
      ? `bench:${bench}: ${p.need} not found (Debian package ${p.pkg}); the benchmark cannot run. Install: bash scripts/install.sh --with-bench`
      : `bench:${bench}: ${p.need} not found (Debian package ${p.pkg}); skipping ${p.role}. Install: bash scripts/install.sh --with-bench`,
  );
}

/**
 * Checks a benchmark's prerequisites at its start: prints one line per missing one; exits with code 3 when a
 * required one is missing (run-all.sh reports that as skipped); returns the roles that are skipped.
 */
export function checkPrereqs(bench: BenchName): Set<string> {
  const missing = missingFor(bench);
  for (const line of describeMissing(bench, missing)) console.error(line);
  if (missing.some((p) => p.role === 'required')) process.exit(3);
  return new Set(missing.map((p) => p.role));
}
