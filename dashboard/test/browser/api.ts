import { PASSWORD } from '../helpers/world.js';

export interface ApiSession {
  /** a JSON POST in this session (with its CSRF token); rejects on an answer other than 2xx */
  post<T = unknown>(path: string, body?: object): Promise<T>;
}

/**
 * A seeded user signed in to the stack's API over HTTP, for a browser test to set up what it needs the way the pages
 * would (a device registered, an alarm acknowledged) without going through the pages of another test.
 */
export async function apiSession(base: string, username: string): Promise<ApiSession> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (!res.ok) throw new Error(`sign-in ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tw_sid='))!.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    async post<T>(path: string, body: object = {}) {
      const r = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
      return (r.status === 204 ? undefined : await r.json()) as T;
    },
  };
}
