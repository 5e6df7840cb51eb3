import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT_FATAL } from '@tianwang/core/service';

// The process-level policy of every service (mainEntry): an uncaught exception or an unhandled rejection is
// logged once at fatal with its context and the process exits non-zero, so a supervisor restarts it. The old
// policy logged an unhandled rejection at error and kept running on whatever state it had left.
const fixture = fileURLToPath(new URL('./fixtures/failing-service.ts', import.meta.url));

function run(how: 'throw' | 'reject'): Promise<{ code: number | null; lines: Record<string, unknown>[]; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', fixture, how], {
      env: { PATH: process.env.PATH, TW_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stdout });
    });
  });
}

describe('fatal error policy', () => {
  it.each(['throw', 'reject'] as const)('on %s: one fatal log line with context, then a non-zero exit', async (how) => {
    const { code, lines, stdout } = await run(how);
    expect(stdout).toContain('started');
    expect(code).toBe(EXIT_FATAL);
    const fatal = lines.filter((l) => l.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ service: 'failing', kind: how === 'throw' ? 'uncaughtException' : 'unhandledRejection' });
    expect((fatal[0]!.err as { message: string }).message).toBe(how === 'throw' ? 'boom from a timer' : 'boom from a promise');
  });
});
