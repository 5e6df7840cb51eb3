import { describe, expect, it } from 'vitest';
import { createLogger } from '@tianwang/core/log';
import { sleep, waitFor } from '@tianwang/core/testing';
import { backlogReport } from '../src/worker/backlog-report.js';
import { heartbeatEvery } from '../src/worker/heartbeat.js';
import { PeriodicTasks } from '../src/worker/periodic.js';
import { entriesFor, newWorkerState, notePerEntry } from '../src/worker/worker-state.js';

// The parts of ingest's start as units; the worker as a whole is tested against Redis and influxd (workers.test.ts, outage.test.ts).

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

describe('worker state', () => {
  it('asks for entries by the recent messages per entry, never fewer than one', () => {
    const s = newWorkerState();
    expect(entriesFor(s, 1000)).toBe(15); // 64 messages per entry until measured
    notePerEntry(s, 10, 10); // single-message entries pull the mean down by half each batch
    expect(s.perEntry).toBeCloseTo(32.5);
    for (let i = 0; i < 20; i++) notePerEntry(s, 10, 10);
    expect(entriesFor(s, 1000)).toBeGreaterThanOrEqual(990); // the mean nears 1 message per entry
    notePerEntry(s, 1_000_000, 1);
    expect(s.perEntry).toBe(64);
    expect(entriesFor(s, 10)).toBe(1);
  });

  it('touches held entries three times per claim idle time, at most every 200 ms', () => {
    expect(heartbeatEvery(30_000)).toBe(10_000);
    expect(heartbeatEvery(300)).toBe(200);
  });
});

describe('periodic tasks', () => {
  it('never overlap a task with itself and run nothing once the worker stops', async () => {
    const state = { ...newWorkerState(), running: true };
    const tasks = new PeriodicTasks(state, capture().log);
    let runs = 0;
    let inFlight = 0;
    let most = 0;
    let release!: () => void;
    tasks.every(5, 'slow', async () => {
      runs++;
      most = Math.max(most, ++inFlight);
      await new Promise<void>((r) => (release = r));
      inFlight--;
    });
    await waitFor(() => runs === 1, { what: 'the first run' });
    await sleep(50); // ten ticks pass while the first run is held: none may start another
    expect(runs).toBe(1);
    release();
    await waitFor(() => runs === 2, { what: 'the next run after the first ended' });
    state.running = false;
    release();
    const before = runs;
    await sleep(50);
    expect(runs).toBe(before);
    expect(most).toBe(1);
    tasks.clear();
  });

  it('logs a failing task with its error and name, and runs it again', async () => {
    const { log, lines } = capture();
    const state = { ...newWorkerState(), running: true };
    const tasks = new PeriodicTasks(state, log);
    let runs = 0;
    tasks.every(5, 'trim', () => Promise.reject(new Error(`boom ${++runs}`)));
    await waitFor(() => runs >= 2, { what: 'a second run after a failure' });
    tasks.clear();
    const line = lines.find((l) => l.msg === 'periodic task failed');
    expect(line).toMatchObject({ task: 'trim', err: { message: 'boom 1' } });
    expect((line?.err as { stack?: string }).stack).toContain('Error: boom 1');
  });
});

describe('backlog report', () => {
  it('sets the gauge each time and warns at most once per period while InfluxDB fails or the backlog is past half', () => {
    const { log, lines } = capture();
    let held = 0;
    let failingSince: number | undefined = undefined; // writes succeed until told otherwise
    const gauge = { value: -1, set: (v: number) => void (gauge.value = v) };
    const report = backlogReport({ held: () => held, maxBacklog: 100, failingSince: () => failingSince, gauge, log, warnEveryMs: 60_000 });
    held = 40;
    report();
    expect(gauge.value).toBe(40);
    expect(lines).toHaveLength(0); // under half, writes succeed: nothing to say
    failingSince = Date.now() - 7000;
    report();
    report();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ backlog: 40, max: 100, failingForS: 7 });
    held = 0;
    report();
    expect(gauge.value).toBe(0);
  });
});
