import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxDatabase, startInflux, type InfluxServer } from '@tianwang/core/testing';
import { createInfluxClient } from '../src/influx-client.js';
import { InfluxWriter, type Batch } from '../src/influx-writer.js';

// A recording proxy in front of the real influxd: it notes each write's Content-Encoding and passes it on.
let influx: InfluxServer;
let proxy: Server;
let proxyUrl = '';
const encodings: string[] = [];

beforeAll(async () => {
  influx = await startInflux();
  await createInfluxDatabase(influx.url, 'enc');
  const target = new URL(influx.url);
  proxy = createServer((req, res) => {
    if (req.url?.startsWith('/write')) encodings.push(req.headers['content-encoding'] ?? 'identity');
    const fwd = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await influx?.stop();
});

async function writeOnce(gzipBytes: number, device: string): Promise<void> {
  const client = createInfluxClient({ influxApi: 'v1', influxUrl: proxyUrl, influxDatabase: 'enc', influxOrg: '', influxToken: undefined, influxTimeoutMs: 5000, influxRetryMaxMs: 1000 });
  const done = new Promise<Batch>((resolve, reject) => {
    const writer = new InfluxWriter(client, { database: 'enc', org: '', batchSize: 5000, flushMs: 10, concurrency: 1, retryMaxMs: 1000, gzipBytes }, {
      written: (b) => resolve(b),
      refused: (_b, refusals) => reject(new Error(`refused: ${JSON.stringify(refusals)}`)),
      failed: () => {},
    });
    const t0 = Date.now() - 60_000;
    // 100 lines of ~60 bytes: a body of about 6 kB, over the client's default gzip threshold of 1,000 bytes
    // times in ns, as the writer sends them
    const lines = Array.from({ length: 100 }, (_, i) => `elevator,device=${device} floor=${i}i,direction="up" ${t0 + i}000000`);
    writer.add(lines, lines.map((_, i) => `${i + 1}-0`), lines.map(() => 0), t0);
  });
  expect((await done).lines).toHaveLength(100);
}

async function countOf(device: string): Promise<number> {
  const res = await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `SELECT count("floor") FROM "elevator" WHERE "device" = '${device}'`, db: 'enc' }) });
  const j = (await res.json()) as { results: { series?: { values: number[][] }[] }[] };
  return Number(j.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB write bodies', () => {
  it('are sent uncompressed by default (gzip costs CPU on both sides of a fast link) and land', async () => {
    encodings.length = 0;
    await writeOnce(0, 'plain');
    expect(encodings).toEqual(['identity']);
    expect(await countOf('plain')).toBe(100);
  });

  it('are gzipped above TW_INGEST_WRITE_GZIP_BYTES when it is set, and land the same', async () => {
    encodings.length = 0;
    await writeOnce(1000, 'zipped');
    expect(encodings).toEqual(['gzip']);
    expect(await countOf('zipped')).toBe(100);
  });
});
