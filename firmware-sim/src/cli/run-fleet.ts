import { readFile } from 'node:fs/promises';
import { faultCodeInfo } from '@tianwang/core/schemas';
import { createControlServer, type ControlServer } from '../control/control-server.js';
import { parseScenario } from '../scenario/scenario-parse.js';
import { resolveScenario, runScenario, type ScenarioRun } from '../scenario/scenario-runner.js';
import { createSimulator } from '../simulator.js';
import { statusLine, summary, type StatsSnapshot } from '../stats.js';
import { duration, int, loadFleet, num, type FleetCliOptions } from './fleet-options.js';
import { startPrompt } from './interactive.js';

export interface RunCliOptions extends FleetCliOptions {
  scenario?: string;
  control?: boolean;
  controlPort: string;
  controlToken?: string;
  interactive?: boolean;
  jsonSummary?: boolean;
  quiet?: boolean;
}

/**
 * `run` (demo, scenarios, live control) and `load` (thousands of devices, status line, summary) share this:
 * they differ in defaults, not in kind.
 */
export async function runFleet(o: RunCliOptions, mode: 'run' | 'load'): Promise<void> {
  const out = process.stderr; // stdout stays clean for --json-summary
  const devices = await loadFleet(o);
  const scenario = o.scenario ? parseScenario(await readFile(o.scenario, 'utf8'), o.scenario) : undefined;
  if (scenario) resolveScenario(scenario, devices); // a bad device or fault fails now, before connecting anything
  const sim = createSimulator(
    {
      brokerUrl: o.broker,
      devices,
      telemetryIntervalMs: num(o.interval, '--interval') * 1000,
      jitter: num(o.jitter, '--jitter'),
      telemetryQos: o.qos === '0' ? 0 : 1,
      confirmMs: num(o.confirm, '--confirm') * 1000,
      connectRate: int(o.connectRate, '--connect-rate'),
      clockSkewMs: duration(o.clockSkew, '--clock-skew'),
      seed: int(o.seed, '--seed'),
    },
    {
      onEvent: (id, e) => {
        if (mode === 'run' && !o.quiet) out.write(`${clearLine()}${new Date(e.ts).toISOString().slice(11, 19)} ${id} ${e.state} ${e.code} ${describe(e.code)}\n`);
      },
    },
  );
  const tty = Boolean(out.isTTY) && mode === 'load';
  const maxMessages = o.messages ? int(o.messages, '--messages') : undefined;
  const stopAfterMs = o.duration ? duration(o.duration, '--duration') : undefined;
  let control: ControlServer | undefined;
  let scenarioRun: ScenarioRun | undefined;
  let finished!: (why: string) => void;
  const done = new Promise<string>((r) => (finished = r));
  const timers: NodeJS.Timeout[] = [];
  let last: StatsSnapshot = sim.stats();

  out.write(`firmware-sim: ${devices.length} devices (${count(devices, 'elevator')} elevators, ${count(devices, 'boiler')} boilers) → ${o.broker}\n`);
  const statusTimer = setInterval(() => {
    last = sim.sampleStats();
    if (!o.quiet) out.write(tty ? `${clearLine()}${statusLine(last)}` : `${statusLine(last)}\n`);
    if (maxMessages !== undefined && last.published >= maxMessages) finished(`${maxMessages} messages sent`);
  }, num(o.statusEvery, '--status-every') * 1000);
  timers.push(statusTimer);
  process.once('SIGINT', () => finished('interrupted'));
  process.once('SIGTERM', () => finished('terminated'));
  if (stopAfterMs !== undefined) timers.push(setTimeout(() => finished(`${o.duration} elapsed`), stopAfterMs));

  await sim.start();
  out.write(`${clearLine()}connected ${sim.stats().connected}/${devices.length}\n`);
  if (o.control) {
    control = createControlServer(sim, { port: int(o.controlPort, '--control-port'), ...(o.controlToken ? { token: o.controlToken } : {}) });
    await control.start();
    out.write(`live control: ${control.url}  token: ${control.token}\n`);
    out.write(`  curl -H 'Authorization: Bearer ${control.token}' -d '{"device":"${devices[0]!.id}","fault":"${devices[0]!.kind === 'elevator' ? 'trapped' : 'low_water'}","seconds":60}' ${control.url}/faults\n`);
  }
  if (scenario) {
    out.write(`scenario "${scenario.name}": ${scenario.steps.length} steps${scenario.durationMs ? `, ends after ${scenario.durationMs / 1000} s` : ''}\n`);
    scenarioRun = runScenario(scenario, sim, (s) => out.write(`${clearLine()}scenario: ${s.action === 'inject' ? 'inject' : 'clear'} ${s.fault} on ${s.deviceId}${s.durationMs ? ` for ${s.durationMs / 1000} s` : ''}\n`));
    void scenarioRun.done.then(() => finished(`scenario "${scenario.name}" finished`));
  }
  const prompt = o.interactive !== false && mode === 'run' && process.stdin.isTTY ? startPrompt(sim, () => finished('quit')) : undefined;

  const why = await done;
  for (const t of timers) clearInterval(t);
  prompt?.close();
  scenarioRun?.cancel();
  last = sim.sampleStats();
  await control?.stop();
  await sim.stop();
  // connected as it was while running: after stop() every terminal has (cleanly) disconnected
  const final = { ...sim.stats(), connected: last.connected, msgsPerSec: last.msgsPerSec, cpuPercent: last.cpuPercent };
  out.write(`${clearLine()}stopped: ${why}\n${summary(final)}\n`);
  if (o.jsonSummary) process.stdout.write(`${JSON.stringify(final)}\n`);
  process.exitCode = 0;
}

function describe(code: string): string {
  const info = faultCodeInfo(code);
  return info ? `${info.en} (${info.zh})` : '';
}

function count(devices: { kind: string }[], kind: string): number {
  return devices.filter((d) => d.kind === kind).length;
}

function clearLine(): string {
  return process.stderr.isTTY ? '\r\x1b[2K' : '';
}
