/** The dashboard benchmark's HTTP client: one keep-alive agent, the inspector's sign-in, percentiles. */
import { request, Agent } from 'node:http';
import { INSPECTOR } from './seed.js';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
export function http(method: string, url: string, o: { cookie?: string; body?: unknown } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(url, { method, agent, headers: { ...(o.cookie ? { cookie: o.cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function signIn(base: string): Promise<string> {
  const res = await http('POST', `${base}/api/v1/auth/login`, { body: { username: INSPECTOR.username, password: INSPECTOR.password } });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${res.body}`);
  const set = res.headers['set-cookie'] as string[];
  return set.find((c) => c.startsWith('tw_sid='))!.split(';')[0]!;
}

export const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN);
