/**
 * InfluxDB 1.x has no /api/v2/write. This transport wraps the client's own Node transport and maps the write
 * path the client builds, /api/v2/write?org=O&bucket=B&precision=P, to /write?db=B&precision=P (us→u, ns→n;
 * ms and s are spelled the same). Everything else passes through untouched, so batching, retries, timeouts
 * and keep-alive stay the client's.
 */
import { InfluxDB, type Transport } from '@influxdata/influxdb-client';

const V1_PRECISION: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

export function mapWritePath(path: string): string {
  const q = path.indexOf('?');
  if ((q < 0 ? path : path.slice(0, q)) !== '/api/v2/write') return path;
  const params = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
  const out = new URLSearchParams();
  const bucket = params.get('bucket');
  if (bucket) out.set('db', bucket);
  const precision = params.get('precision');
  if (precision) out.set('precision', V1_PRECISION[precision] ?? precision);
  const consistency = params.get('consistency');
  if (consistency) out.set('consistency', consistency);
  return `/write?${out.toString()}`;
}

/** Authorization header for 1.x: "user:password" becomes HTTP basic auth. */
export function v1AuthHeaders(token: string | undefined): Record<string, string> {
  if (!token) return {};
  return { Authorization: `Basic ${Buffer.from(token).toString('base64')}` };
}

export function createV1Transport(url: string, opts: { token?: string | undefined; timeout?: number }): Transport {
  // The client builds its Node transport in the constructor; borrow it rather than re-implementing HTTP.
  const inner = new InfluxDB({ url, timeout: opts.timeout ?? 10_000, headers: v1AuthHeaders(opts.token) }).transport;
  return {
    send: (path, body, options, callbacks) => inner.send(mapWritePath(path), body, options, callbacks),
    request: (path, body, options, responseStarted) => inner.request(mapWritePath(path), body, options, responseStarted),
    iterate: (path, body, options) => inner.iterate(mapWritePath(path), body, options),
    chunkCombiner: inner.chunkCombiner,
  };
}
