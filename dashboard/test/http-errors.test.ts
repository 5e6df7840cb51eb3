import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ERROR_CODES } from '@tianwang/core/errors';
import { login, startWorld, type World } from './helpers/world.js';

// One error shape for the dashboard as for the relay (streams/src/http/http-util.ts): { code, message }, the code
// from core's registry, whatever part of fastify or of our code refused the request.
let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterAll(() => w?.close());

function expectError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp) {
  expect(res.statusCode).toBe(status);
  const body = res.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.code).toBe(code);
  expect(Object.keys(ERROR_CODES)).toContain(body.code);
  if (message) expect(body.message).toMatch(message);
}

describe('dashboard HTTP errors', () => {
  it('answer { code, message } with a registry code, from fastify, the schema and the handlers alike', async () => {
    const inject = w.dashboard.app.inject.bind(w.dashboard.app);
    expectError(await inject({ method: 'GET', url: '/api/v1/nothing' }), 404, 'TW_NOT_FOUND', /no route GET \/api\/v1\/nothing/);
    expectError(await inject({ method: 'GET', url: '/api/v1/me' }), 401, 'TW_UNAUTHENTICATED', /sign in first/);
    // schema validation (fastify + ajv), a body of the wrong type and one over the limit
    expectError(await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'unit1' } }), 400, 'TW_PAYLOAD_INVALID', /password/);
    expectError(await inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/xml' }, payload: '<x/>' }), 415, 'TW_PAYLOAD_INVALID');
    expectError(await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'u', password: 'p'.repeat(70_000) } }), 413, 'TW_PAYLOAD_INVALID');
    const s = await login(w.dashboard, 'unit1');
    expectError(await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: s.headers() }), 403, 'TW_CSRF_INVALID');
  });
});
