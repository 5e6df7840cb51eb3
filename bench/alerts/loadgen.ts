/**
 * Background telemetry: `devices` MQTT connections (one per terminal, as in the field) publishing normal elevator
 * readings at QoS 0, `rate` messages per second in total, until SIGTERM. Prints READY once connected, then one JSON
 * line per second {sent, rate}.
 */
import mqtt from 'mqtt';

const [url, devicesS, rateS, secret] = process.argv.slice(2) as string[];
const ids = Array.from({ length: Number(devicesS) }, (_, i) => `BL-${String(i).padStart(6, '0')}`);
const rate = Number(rateS);
const clients = await Promise.all(
  ids.map((id) => mqtt.connectAsync(url as string, { clientId: id, username: id, password: secret, reconnectPeriod: 1000, keepalive: 60 })),
);
process.stdout.write('READY\n');
let sent = 0;
let lastSent = 0;
let next = 0;
const TICK_MS = 10;
const start = Date.now();
let ticks = 0;
const payload = (i: number) =>
  JSON.stringify({ ts: Date.now(), seq: i, floor: 1 + (i % 18), direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: 1000 + i, runHours: 100, load: 0 });
// drift-free pacing: each tick sends what the schedule owes by now
const timer = setInterval(() => {
  ticks++;
  const owed = Math.floor(((Date.now() - start) / 1000) * rate) - sent;
  for (let k = 0; k < owed; k++) {
    const i = next++ % clients.length;
    clients[i]!.publish(`tw/v1/elevator/${ids[i]}/telemetry`, payload(sent), { qos: 0 });
    sent++;
  }
}, TICK_MS);
const report = setInterval(() => {
  process.stdout.write(JSON.stringify({ sent, rate: sent - lastSent }) + '\n');
  lastSent = sent;
}, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(report);
  void Promise.all(clients.map((c) => c.endAsync())).finally(() => process.exit(0));
});
void ticks;
