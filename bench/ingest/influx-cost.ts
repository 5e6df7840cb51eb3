/**
 * influxd's CPU per point for our telemetry lines at a fixed rate, outside the pipeline, to see what its cost
 * depends on: how many devices (series) a batch spans, the batch size, whether lines are grouped by device,
 * and influxd's cache settings.
 *   node … bench/ingest/influx-cost.ts [--devices 5000] [--rate 20000] [--seconds 10] [--batch 2000] [--senders 2]
 *        [--sorted] [--data 'cache-snapshot-memory-size = "100m"'] (a line for influxd's [data] section)
 * Prints {pointsPerS, influxdUsPerPoint, influxdCpuPct}.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { createInfluxDatabase, startInflux } from '@tianwang/core/testing';
import { deviceTagSet, telemetryLine } from '@tianwang/ingest';
import { cpuSeconds } from './measure.js';

const arg = (name: string, d: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : d);
const DEVICES = Number(arg('devices', '5000'));
const RATE = Number(arg('rate', '20000'));
const SECONDS = Number(arg('seconds', '10'));
const BATCH = Number(arg('batch', '2000'));
const SENDERS = Number(arg('senders', '2'));
const SORTED = process.argv.includes('--sorted');
const DATA = arg('data', '');

const influx = await startInflux();
if (DATA) {
  await influx.pause();
  const conf = join(influx.dir, 'influxdb.conf');
  const text = await readFile(conf, 'utf8');
  await writeFile(conf, text.replace('[data]\n', `[data]\n  ${DATA}\n`));
  await influx.resume();
}
await createInfluxDatabase(influx.url, 'cost');
const url = new URL(`${influx.url}/write?db=cost&precision=ms`);
const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
const post = (body: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
const tags = Array.from({ length: DEVICES }, (_, i) => deviceTagSet({ id: `EB-${String(i).padStart(6, '0')}`, kind: 'elevator', unitId: `U${i % 50}`, districtId: `D${i % 5}` }));
const lastTs = new Array<number>(DEVICES).fill(0);
let n = 0;
// devices take turns, as the load generator sends them; each device's times strictly increase
const makeBatch = () => {
  const items: [number, string][] = [];
  for (let i = 0; i < BATCH; i++, n++) {
    const d = n % DEVICES;
    const ts = (lastTs[d] = Math.max(Date.now(), lastTs[d]! + 1));
    items.push([d, telemetryLine('elevator', tags[d]!, { seq: n, floor: (n % 30) + 1, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456 + n, runHours: 7890.5, load: 42 }, ts, false)]);
  }
  if (SORTED) items.sort((a, b) => a[0] - b[0]);
  return items.map((x) => x[1]).join('\n');
};
// every series exists before measuring (creating one costs influxd far more than a point; a real fleet's
// series exist already), then a pause so that the warm-up's own work is done
for (let i = 0; i < DEVICES; i += BATCH) {
  const status = await post(makeBatch());
  if (status !== 204) throw new Error(`influxd answered ${status}`);
}
await new Promise((r) => setTimeout(r, 3000));
const pid = influx.child.pid!;
const c0 = cpuSeconds(pid);
const start = Date.now();
let written = 0;
await Promise.all(
  Array.from({ length: SENDERS }, async (_, s) => {
    // each sender writes its share of the rate, one batch per interval, paced by the clock
    const every = (BATCH * SENDERS * 1000) / RATE;
    for (let k = 0; Date.now() - start < SECONDS * 1000; k++) {
      const due = start + s * (every / SENDERS) + k * every;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const status = await post(makeBatch());
      if (status !== 204) throw new Error(`influxd answered ${status}`);
      written += BATCH;
    }
  }),
);
const seconds = (Date.now() - start) / 1000;
await new Promise((r) => setTimeout(r, 1000));
const cpu = cpuSeconds(pid) - c0;
const rssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
console.log(JSON.stringify({ devices: DEVICES, batch: BATCH, sorted: SORTED, data: DATA || 'default', pointsPerS: Math.round(written / seconds), influxdUsPerPoint: Math.round((cpu * 1e6) / written * 10) / 10, influxdCpuPct: Math.round((cpu / (seconds + 1)) * 100), influxdPeakRssMb: rssMb, gogc: process.env.TW_INFLUX_GOGC ?? 'default (200)' }));
agent.destroy();
await influx.stop();
process.exit(0);
