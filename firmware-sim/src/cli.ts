#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { BOILER_FAULTS, ELEVATOR_FAULTS, MISBEHAVIOURS } from './models/fault-names.js';
import { parseScenario } from './scenario/scenario-parse.js';
import { addFleetOptions } from './cli/fleet-options.js';
import { runCameras, type CameraCliOptions } from './cli/run-cameras.js';
import { runFleet, type RunCliOptions } from './cli/run-fleet.js';

const program = new Command('tianwang-sim')
  .description('天网 firmware-sim: simulated elevator and boiler terminals (MQTT) and kitchen cameras (RTMP/RTSP)')
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    `
Examples:
  # the demo district against a local broker, with live control and the interactive prompt
  tianwang-sim run --from-demo --seed 1 --broker mqtt://127.0.0.1:1883

  # 20 elevators and 5 boilers with one shared secret, a scripted fault, stop after 3 minutes
  tianwang-sim run -e 20 -B 5 --secret s3cret --scenario firmware-sim/scenarios/trapped-demo.yaml -d 3m

  # load: 5,000 devices, one message each per second, for 60 s; JSON summary on stdout
  tianwang-sim load -e 4000 -B 1000 --secret s3cret -d 60s --json-summary

  # kitchen cameras pushing RTMP, or serving RTSP for pull-mode cameras
  tianwang-sim cameras --count 4 --secret pub --kitchen 老街面馆 --rtmp-url 'rtmp://127.0.0.1:1935/live/{camera}?token={secret}'
  tianwang-sim cameras --count 2 --secret pw --pull --rtsp-port 8554

  # check a scenario file without running it
  tianwang-sim check firmware-sim/scenarios/boiler-low-water.yaml

Faults (scenarios, control API, prompt):
  elevator   ${Object.keys(ELEVATOR_FAULTS).join(', ')}
  boiler     ${Object.keys(BOILER_FAULTS).join(', ')}
  any device ${MISBEHAVIOURS.join(', ')}
Docs: docs/firmware-sim.md`,
  );

addFleetOptions(
  program
    .command('run', { isDefault: true })
    .description('run a fleet for a demo or a test: events printed, live control API, scenarios, interactive prompt'),
  { interval: '10', statusEvery: '10' },
)
  .option('-s, --scenario <file>', 'play a scenario file (YAML or JSON)')
  .option('--no-control', 'no live control HTTP API')
  .option('--control-port <port>', 'live control API port on 127.0.0.1 (0 = any free port)', '7070')
  .option('--control-token <token>', 'bearer token for the control API (default: random, printed at start)')
  .option('--no-interactive', 'no prompt even when stdin is a terminal')
  .option('--json-summary', 'print the final figures as one JSON line on stdout')
  .option('-q, --quiet', 'no status lines or event lines')
  .action((o: RunCliOptions) => runFleet(o, 'run'));

addFleetOptions(
  program
    .command('load')
    .description('load mode: thousands of devices from one process, a live status line (connected, msg/s, errors, reconnects, CPU, RSS) and a summary'),
  { interval: '1', statusEvery: '1' },
)
  .option('-s, --scenario <file>', 'play a scenario file while loading')
  .option('--control', 'also start the live control API')
  .option('--control-port <port>', 'live control API port on 127.0.0.1', '7070')
  .option('--control-token <token>', 'bearer token for the control API')
  .option('--json-summary', 'print the final figures as one JSON line on stdout')
  .option('-q, --quiet', 'no status line')
  .action((o: RunCliOptions) => runFleet({ ...o, interactive: false }, 'load'));

program
  .command('cameras')
  .description('simulated kitchen cameras: an ffmpeg test picture with kitchen name, area and a clock (ms), pushed over RTMP or served over RTSP')
  .option('--from-demo', "the demo district's cameras with their publish credentials (from --seed)")
  .option('--seed <n>', 'demo district seed', '1')
  .option('-c, --count <n>', 'generate N cameras (with --secret)')
  .option('--id-prefix <prefix>', 'generated camera ids: <prefix>-0001', 'CAM')
  .option('--secret <secret>', 'publish credential (push) or RTSP password (pull) of generated cameras')
  .option('--kitchen <name>', 'kitchen name drawn on generated cameras', '示范餐厅')
  .option('--area <name>', 'camera area drawn on generated cameras', '烹饪区')
  .option('--pull', 'serve RTSP (pull-mode cameras) instead of pushing RTMP')
  .option('--rtmp-url <template>', 'RTMP publish URL; {camera} {secret} {kitchen} are filled in', 'rtmp://127.0.0.1:1935/live/{camera}?token={secret}')
  .option('--rtsp-port <port>', 'RTSP port for pull cameras: rtsp://<camera>:<secret>@127.0.0.1:<port>/<camera>', '8554')
  .option('--size <WxH>', 'picture size', '640x360')
  .option('--fps <n>', 'frames per second', '15')
  .option('--bitrate <rate>', 'H.264 bitrate', '400k')
  .option('-d, --duration <time>', 'stop after this long')
  .action((o: CameraCliOptions) => runCameras(o));

program
  .command('check')
  .description('validate scenario files and print their steps')
  .argument('<files...>', 'scenario files (YAML or JSON)')
  .action(async (files: string[]) => {
    for (const f of files) {
      const s = parseScenario(await readFile(f, 'utf8'), f);
      process.stdout.write(`${f}: "${s.name}", ${s.steps.length} steps${s.durationMs ? `, ${s.durationMs / 1000} s` : ''}\n`);
      for (const st of s.steps) process.stdout.write(`  ${(st.atMs / 1000).toFixed(1).padStart(7)} s  ${st.device.padEnd(20)} ${st.action} ${st.fault}${st.durationMs ? ` for ${st.durationMs / 1000} s` : ''}\n`);
    }
  });

program.parseAsync().catch((err: unknown) => {
  // one line for the errors an operator can fix; the stack only for bugs
  const e = err as { code?: string; message?: string; stack?: string };
  const known = typeof e.code === 'string' && (e.code.startsWith('TW_') || e.code === 'ENOENT');
  process.stderr.write(`tianwang-sim: ${known ? e.message : (e.stack ?? String(err))}\n`);
  process.exitCode = 1;
});
