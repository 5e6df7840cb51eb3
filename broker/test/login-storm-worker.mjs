/**
 * A login storm from its own thread (its own event loop, as a guesser on another machine would be): opens
 * `count` connections at once from `localAddress`, each sending one CONNECT, and reports for each when the
 * answer came: the CONNACK return code, or null when the broker closed the connection without one.
 * Protocol: posts 'ready', waits for any message, then posts { started, results } once every connection ended.
 * Plain JavaScript, no dependencies: a worker thread does not go through vitest's TypeScript transform.
 */
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { setPriority } from 'node:os';
import { setImmediate } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';

// The lowest CPU priority for this thread (Linux: per thread): the guesser stands for another machine, so on a
// small shared test machine it must not take the broker's CPU away and make it look slow.
try {
  setPriority(19);
} catch {
  /* not permitted here: run at normal priority */
}

const { port, localAddress, count, clientId, username, password } = workerData;

const str = (s) => {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
};
// MQTT 3.1.1 CONNECT (§3.1): protocol name, level 4, flags user name + password + clean session, keepalive 60
const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 60]), str(clientId), str(username), str(password)]);
const length = [];
for (let n = body.length; ; ) {
  length.push((n & 127) | (n > 127 ? 128 : 0));
  n >>>= 7;
  if (n === 0) break;
}
const packet = Buffer.concat([Buffer.from([0x10, ...length]), body]);

/** All connections are opened within a few event-loop turns (100 per turn, so this thread's own work is spread). */
function run() {
  const started = Date.now();
  const results = [];
  const open = () => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let answered = false;
    const done = (code) => {
      if (answered) return;
      answered = true;
      results.push({ code, at: Date.now() });
      socket.destroy();
      if (results.length === count) parentPort.postMessage({ started, results });
    };
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(packet));
    socket.on('data', (b) => {
      if (b[0] === 0x20 && b.length >= 4) done(b[3]);
    });
    socket.on('close', () => done(null));
  };
  let opened = 0;
  const batch = () => {
    for (const end = Math.min(count, opened + 100); opened < end; opened++) open();
    if (opened < count) setImmediate(batch);
  };
  batch();
}

// started by the test once this thread is up, so its start-up is not part of the storm
parentPort.once('message', run);
parentPort.postMessage('ready');
