import { connect, createServer } from 'node:net';

/**
 * Test ports come from below Linux's ephemeral range (32768–60999 by default): a port the OS picked with listen(0)
 * and released is back in the pool from which every outgoing connection takes its local port, so with two test files
 * running at once a Redis client's socket could take it before the server that was meant to listen there did (CI saw
 * ECONNREFUSED on such a port). Each vitest worker (VITEST_POOL_ID) gets its own block, so concurrent files never
 * hand out the same port; within a block a cursor moves on, so one process never hands out a port twice in a row.
 */
const LOW = 15_000;
const HIGH = 32_000;
const BLOCKS = 8;
const BLOCK = Math.floor((HIGH - LOW) / BLOCKS);
const slot = (Number(process.env.VITEST_POOL_ID) || process.pid) % BLOCKS;
const base = LOW + slot * BLOCK;
// a random start, so that two separate test runs (two worktrees) on one machine seldom walk the same ports
let cursor = Math.floor(Math.random() * BLOCK);

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port that is free on 127.0.0.1 right now, from this worker's block below the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < BLOCK; i++) {
    const port = base + (cursor++ % BLOCK);
    if (await tryListen(port)) return port;
  }
  throw new Error(`freePort: no free port in ${base}–${base + BLOCK - 1}`);
}

/** Whether something accepts TCP connections on the port now (false for no port). One attempt, no waiting. */
export function portAccepts(port: number | undefined, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    if (!port) return resolve(false);
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
