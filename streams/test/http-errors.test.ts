import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@tianwang/core/errors';
import { startFixture, type Fixture } from './helpers/relay-fixture.js';

// One error shape for the relay as for the dashboard (dashboard/src/http/errors.ts): { code, message }, the code
// from core's registry, nothing else in the body.
let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
}, 60_000);
afterAll(() => f?.stop());

async function expectError(res: { status: number; json(): Promise<unknown> }, status: number, code: string, message?: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.code).toBe(code);
  expect(Object.keys(ERROR_CODES)).toContain(body.code);
  expect(typeof body.message === 'string' && body.message.length > 0).toBe(true);
  if (message) expect(body.message).toMatch(message);
}

/** One raw HTTP exchange (for targets fetch() would normalise, and for an upgrade) → status and body. */
function raw(request: string): Promise<{ status: number; json(): Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const s = connect(f.httpPort, '127.0.0.1', () => s.write(request));
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', reject);
    s.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), json: () => Promise.resolve(JSON.parse(body) as unknown) });
    });
  });
}

describe('relay HTTP errors', () => {
  it('answer { code, message } with a registry code on every path', async () => {
    await expectError(await fetch(`${f.base}/nothing-here`), 404, 'TW_NOT_FOUND', /no such record/);
    await expectError(await fetch(`${f.base}/play/cam-a.flv`), 401, 'TW_UNAUTHENTICATED', /signature/);
    await expectError(await fetch(`${f.base}/play/cam-a.flv?exp=9999999999&aud=i&sig=AAAA`), 403, 'TW_FORBIDDEN');
    await expectError(await fetch(`${f.base}/play/cam-a.flv`, { method: 'PUT' }), 405, 'TW_PAYLOAD_INVALID', /method not allowed/);
    await expectError(await fetch(`${f.base}/rec/cam-a/1700000000.ts`), 401, 'TW_UNAUTHENTICATED');
    // the API: thrown errors by intent
    await expectError(await fetch(`${f.base}/api/cameras/cam-a/health`), 401, 'TW_UNAUTHENTICATED', /sign in/);
    const auth = { authorization: `Bearer ${f.inspectorToken}` };
    await expectError(await fetch(`${f.base}/api/cameras/cam-zzz/health`, { headers: auth }), 404, 'TW_NOT_FOUND', /cam-zzz/);
    await expectError(await fetch(`${f.base}/api/play-urls`, { method: 'POST', headers: auth, body: '{not json' }), 400, 'TW_PAYLOAD_INVALID', /not JSON/);
    await expectError(await fetch(`${f.base}/api/cameras/cam-a/recordings?from=x`, { headers: auth }), 400, 'TW_PAYLOAD_INVALID');
    await expectError(await fetch(`${f.base}/api/nothing`, { headers: auth }), 404, 'TW_NOT_FOUND');
  });

  it('also for a target that is not a path and for a refused WebSocket upgrade', async () => {
    await expectError(await raw('GET //[x/y HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n'), 400, 'TW_PAYLOAD_INVALID', /not a path/);
    const upgrade = (path: string) =>
      raw(`GET ${path} HTTP/1.1\r\nHost: relay\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await expectError(await upgrade('/ws/nothing'), 404, 'TW_NOT_FOUND');
    await expectError(await upgrade('/ws/cam-a.flv'), 401, 'TW_UNAUTHENTICATED');
  });
});
