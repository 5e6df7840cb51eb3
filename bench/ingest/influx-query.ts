/**
 * The benchmark's InfluxQL queries (the probe's poll 20 times a second, the drain count) over node:http with one
 * kept-alive connection and no Accept-Encoding. fetch() cost the benchmark ≈ 5 % of a core for the probe alone
 * (undici's request and web-stream machinery, and gunzipping the answers InfluxDB gzipped for it), CPU taken
 * from the pipeline it measures.
 */
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 2 });

type QueryResult = { results: { series?: { values: (number | null)[][] }[]; error?: string }[]; error?: string };

/** The first value of the first row (the second column: the first is the time), or undefined. */
export async function influxScalar(url: string, db: string, q: string): Promise<number | undefined> {
  const row = await influxFirstRow(url, db, q);
  const v = row?.[1];
  return v === undefined || v === null ? undefined : Number(v);
}

/** The values of the first row (the first is the time), or undefined. */
export function influxFirstRow(url: string, db: string, q: string): Promise<(number | null)[] | undefined> {
  const body = new URLSearchParams({ q, db, epoch: 'ms' }).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/query`, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const j = JSON.parse(Buffer.concat(chunks).toString()) as QueryResult;
          const err = j.error ?? j.results[0]?.error;
          if (err) return reject(new Error(`InfluxQL: ${err}`));
          resolve(j.results[0]?.series?.[0]?.values[0]);
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Lets the process exit: closes the kept-alive connections. */
export function closeInfluxQueries(): void {
  agent.destroy();
}
