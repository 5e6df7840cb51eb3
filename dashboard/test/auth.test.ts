import { waitFor } from '@tianwang/core/testing';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { SessionStore } from '../src/auth/sessions.js';
import { PASSWORD, cookieOf, login, startWorld, type World } from './helpers/world.js';

let w: World;
let redis: Redis;

beforeAll(async () => {
  w = await startWorld({ env: { TW_LOGIN_MAX_FAILURES: '3', TW_LOGIN_MAX_FAILURES_ADDRESS: '6' } });
  redis = new Redis(w.redis.url);
});
afterAll(async () => {
  redis?.disconnect();
  await w?.close();
});

const inject = (o: InjectOptions) => w.dashboard.app.inject(o);
const actions = async (subjectId: string) => (await w.registry.audit.forSubject('user', subjectId)).map((e) => e.action);

describe('sign-in and sessions', () => {
  it('signs in with a server-side session: HttpOnly SameSite=Strict cookie, the Redis key is the SHA-256 of the id', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'insp1', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ id: 'insp1', username: 'insp1', displayName: 'insp1 用户', role: 'inspector', districtId: 'D1', unitId: null, maintenanceCompanyId: null });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^tw_sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const id = cookieOf(res).slice('tw_sid='.length);
    const keys = pipelineKeys(w.config.common.keyPrefix);
    const stored = await redis.get(keys.session(createHash('sha256').update(id).digest('hex')));
    expect(stored).toContain('"insp1"');
    expect(stored).not.toContain(id);
    const ttl = await redis.pttl(keys.session(createHash('sha256').update(id).digest('hex')));
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    const me = await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieOf(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body);
    expect(await actions('insp1')).toContain('auth.login');
  });

  it('signing in again ends the session the browser had (no session fixation)', async () => {
    const first = await login(w.dashboard, 'insp1');
    const again = await inject({ method: 'POST', url: '/api/v1/auth/login', headers: first.headers(), payload: { username: 'insp1', password: PASSWORD } });
    expect(again.statusCode).toBe(200);
    expect(cookieOf(again)).not.toBe(first.cookie);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: first.headers() })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieOf(again) } })).statusCode).toBe(200);
  });

  it('wrong password and unknown user answer the same 401; both are audited', async () => {
    const wrong = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'unit1', password: 'nope-nope-nope' }, remoteAddress: '10.0.0.9' });
    const unknown = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ghost', password: 'nope-nope-nope' }, remoteAddress: '10.0.0.9' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toEqual({ code: 'TW_UNAUTHENTICATED', message: 'wrong username or password' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(await actions('unit1')).toContain('auth.login_failed');
    expect(await actions('ghost')).toEqual(['auth.login_failed']);
  });

  it('no session: 401; a state-changing request without the CSRF header: 403; sign-out ends the session', async () => {
    expect((await inject({ method: 'GET', url: '/api/v1/me' })).json()).toEqual({ code: 'TW_UNAUTHENTICATED', message: 'sign in first' });
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: 'tw_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).statusCode).toBe(401);
    const s = await login(w.dashboard, 'unit1');
    const noToken = await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers() });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe('TW_CSRF_INVALID');
    expect((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...s.headers(), 'x-csrf-token': 'x'.repeat(32) } })).statusCode).toBe(403);
    const out = await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers(true) });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^tw_sid=;/);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: s.headers() })).statusCode).toBe(401);
    expect(await actions('unit1')).toContain('auth.logout');
  });

  it('a password change revokes every session of the user and issues the caller a fresh one', async () => {
    const a = await login(w.dashboard, 'maint1');
    const b = await login(w.dashboard, 'maint1');
    const weak = await inject({ method: 'POST', url: '/api/v1/auth/password', headers: a.headers(true), payload: { current: PASSWORD, next: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('TW_PAYLOAD_INVALID');
    const wrong = await inject({ method: 'POST', url: '/api/v1/auth/password', headers: a.headers(true), payload: { current: 'not-my-password', next: 'a-new-password-42' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await inject({ method: 'POST', url: '/api/v1/auth/password', headers: a.headers(true), payload: { current: PASSWORD, next: 'a-new-password-42' } });
    expect(ok.statusCode).toBe(204);
    const fresh = cookieOf(ok);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: a.headers() })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: b.headers() })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: fresh } })).statusCode).toBe(200);
    await login(w.dashboard, 'maint1', 'a-new-password-42');
    expect(await actions('maint1')).toContain('auth.password_changed');
    await w.registry.users.setPassword('maint1', PASSWORD);
  });

  it('throttles failures per account (even the right password then waits) and per address', async () => {
    for (let i = 0; i < 3; i++)
      expect((await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'insp2', password: `wrong-${i}` }, remoteAddress: `10.1.0.${i}` })).statusCode).toBe(401);
    const locked = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'insp2', password: PASSWORD }, remoteAddress: '10.1.0.99' });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('TW_RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // another account is not affected
    await login(w.dashboard, 'insp1', PASSWORD, '10.1.0.99');
    // one address trying many accounts
    for (let i = 0; i < 6; i++)
      expect((await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `guess${i}`, password: 'x' }, remoteAddress: '10.2.0.1' })).statusCode).toBe(401);
    const byAddress = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD }, remoteAddress: '10.2.0.1' });
    expect(byAddress.statusCode).toBe(429);
    await login(w.dashboard, 'admin', PASSWORD, '10.2.0.2');
  });

  it('sessions end after the idle time, and at the absolute end however active', async () => {
    const keys = pipelineKeys(w.config.common.keyPrefix);
    const user = { id: 'unit1', username: 'unit1', displayName: 'u', role: 'unit' as const, districtId: null, unitId: 'U1', maintenanceCompanyId: null };
    const idle = new SessionStore(redis, keys, 400, 60_000);
    const s = await idle.create(user);
    expect(await idle.get(s.id)).toBeDefined();
    await waitFor(async () => !(await redis.exists(keys.session(s.session.hash))), { timeoutMs: 10_000, intervalMs: 50, what: 'the session key removed' });
    expect(await idle.get(s.id)).toBeUndefined();
    let now = 1_000_000;
    const capped = new SessionStore(redis, keys, 60_000, 120_000, () => now);
    const c = await capped.create(user);
    now += 90_000;
    expect(await capped.get(c.id)).toBeDefined();
    // in the last idle period the key expires at the absolute end, not later
    expect(await redis.pttl(keys.session(c.session.hash))).toBeLessThanOrEqual(60_000);
    now += 30_001;
    expect(await capped.get(c.id)).toBeUndefined();
    expect(await redis.exists(keys.session(c.session.hash))).toBe(0);
  });
});

describe('error shape', () => {
  it('unknown API routes and invalid bodies answer { code, message }', async () => {
    const s = await login(w.dashboard, 'admin');
    const missing = await inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: s.headers() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'TW_NOT_FOUND', message: 'no route GET /api/v1/no-such-thing' });
    const bad = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'TW_PAYLOAD_INVALID' });
    const notJson = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().code).toBe('TW_PAYLOAD_INVALID');
  });
});
