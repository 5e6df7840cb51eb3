import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BENCH_PACKAGES, PREREQS, describeMissing, found, type BenchName } from '../prereqs.js';

const BENCH = join(import.meta.dirname, '..');
const ROOT = join(BENCH, '..');

/** The external programs a benchmark's source starts, as far as the source shows them. */
function toolsStartedBy(bench: BenchName): Set<string> {
  const tools = new Set<string>();
  const starters: [RegExp, string][] = [
    [/\bstartRedis\(/, 'redis-server'],
    [/\bstartInflux\(/, 'influxd'],
    [/\bstartPostgres\(/, 'initdb'],
    [/\bstartVictoria\(/, 'victoria-metrics'],
    [/\bstartMosquitto\(/, 'mosquitto'],
    [/\bff\(\[/, 'ffmpeg'],
  ];
  for (const file of readdirSync(join(BENCH, bench)).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(join(BENCH, bench, file), 'utf8');
    for (const [re, tool] of starters) if (re.test(src)) tools.add(tool);
    // spawn('x', …), run('x', …), launch(['x', …]): a literal program name
    for (const m of src.matchAll(/\b(?:spawn|run|launch)\(\[?'([a-z][a-z0-9_-]*)'/g)) tools.add(m[1]!);
  }
  // the runtime the benchmark itself runs on
  tools.delete('node');
  return tools;
}

describe('benchmark prerequisites', () => {
  for (const bench of Object.keys(PREREQS) as BenchName[]) {
    it(`bench:${bench} declares every program it starts`, () => {
      const declared = new Set(PREREQS[bench].map((p) => p.need));
      const started = toolsStartedBy(bench);
      expect(started.size).toBeGreaterThan(0);
      for (const tool of started) expect(declared, `bench/${bench} starts ${tool}`).toContain(tool);
    });

    it(`bench:${bench}: every declared prerequisite is found after install (scripts/install.sh --with-bench)`, () => {
      const missing = PREREQS[bench].filter((p) => !found(p.need));
      expect(describeMissing(bench, missing)).toEqual([]);
    });
  }

  it('scripts/services.sh --with-bench installs every package the benchmarks declare', () => {
    const sh = readFileSync(join(ROOT, 'scripts/services.sh'), 'utf8');
    const listed = new Set([...sh.matchAll(/^\s+"(\S+) (\S+)"$/gm)].map((m) => m[2]!));
    listed.add('postgresql'); // installed by name, when no server binary is found
    expect(BENCH_PACKAGES.filter((pkg) => !listed.has(pkg))).toEqual([]);
  });

  it('a missing tool is one line naming its package', () => {
    const [required, optional] = describeMissing('streams', [PREREQS.streams[0]!, PREREQS.streams[2]!]);
    expect(required).toMatch(/^bench:streams: ffmpeg not found \(Debian package ffmpeg\); the benchmark cannot run/);
    expect(optional).toMatch(/^bench:streams: nginx not found \(Debian package nginx\); skipping the nginx-rtmp comparison/);
  });

  it('a benchmark whose required tool is missing exits 3 with that line, not a crash', async () => {
    // PATH holds only node's own folder: mosquitto (bench:sim's broker) cannot be found
    const run = promisify(execFile)(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', 'bench/sim/run.ts', '--seconds', '1'], {
      cwd: ROOT,
      env: { ...process.env, PATH: dirname(process.execPath) },
    });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code?: number; stderr?: string } | undefined;
    expect(err?.code).toBe(3);
    expect(err?.stderr?.trim()).toMatch(/^bench:sim: mosquitto not found \(Debian package mosquitto\); the benchmark cannot run/);
  });
});
