/** The dashboard benchmark's HTTP client: one keep-alive agent, the inspector's sign-in, percentiles. */
import { request, Agent } from 'node:http';
import { INSPECTOR } from './seed.js';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
export function http(method: string, url: string, o: { cookie?: string; csrf?: string; body?: unknown } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers = { ...(o.cookie ? { cookie: o.cookie } : {}), ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
    const req = request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The inspector's session: its cookie and the CSRF token state-changing requests send. */
export async function session(base: string): Promise<{ cookie: string; csrf: string }> {
  const res = await http('POST', `${base}/api/v1/auth/login`, { body: { username: INSPECTOR.username, password: INSPECTOR.password } });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${res.body}`);
  const set = res.headers['set-cookie'] as string[];
  return { cookie: set.find((c) => c.startsWith('tw_sid='))!.split(';')[0]!, csrf: (JSON.parse(res.body) as { csrfToken: string }).csrfToken };
}

export const signIn = async (base: string): Promise<string> => (await session(base)).cookie;

export const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN);
