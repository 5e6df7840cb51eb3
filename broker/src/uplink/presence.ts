import type { Logger } from '@tianwang/core/log';
import type { Aedes, Client } from 'aedes';
import { deviceStatusTopic } from '../policy/acl.js';
import type { CloseReason, TwClient } from '../client-state.js';
import type { BrokerMetrics } from '../metrics.js';
import type { PipelineWriter } from './pipeline-writer.js';

/**
 * Device presence, for ingest (which keeps each device's online state and last-seen time in its shadow) and
 * the dashboard. On every device session start the broker appends an entry of kind 'o' (payload: JSON with
 * the source address, transport and broker node) on the device's status topic; when it ends, kind 'x' with
 * the reason as payload:
 *   disconnect  the device sent DISCONNECT            keepalive  no packet within 1.5 × keepalive [MQTT-3.1.2-24]
 *   lwt         connection lost, its will published  lost       connection lost, no will
 *   kicked      broke a limit (rate, packet size)    refused    published outside its topics
 *   revoked     disabled / secret rotated / removed  takeover   the same device connected again [MQTT-3.1.4-2]
 *   shutdown    the broker node stopped
 * Every accepted message is itself proof of life: ingest takes last-seen from the entries' receive time.
 */
export function trackPresence(broker: Aedes, writer: PipelineWriter, metrics: BrokerMetrics, log: Logger, nodeId: string): void {
  broker.on('keepaliveTimeout', (client: Client) => {
    const st = (client as TwClient).tw;
    if (st) st.closeReason ??= 'keepalive';
  });

  broker.on('client', (client: Client) => {
    const c = client as TwClient;
    const p = c.tw?.principal;
    if (!p) return;
    metrics.clients.labels(p.type).inc();
    metrics.connectsTotal.labels(p.type).inc();
    log.debug({ clientId: c.id, source: c.tw.source, transport: c.tw.transport, clean: c.clean }, 'client connected');
    if (p.type !== 'device') return;
    const payload = JSON.stringify({ ip: c.tw.source, transport: c.tw.transport, node: nodeId });
    writer.append({ topic: deviceStatusTopic(p), payload, receivedAt: Date.now(), clientId: c.id, kind: 'o' }, 1);
  });

  broker.on('clientDisconnect', (client: Client) => {
    const c = client as TwClient;
    const st = c.tw;
    const p = st?.principal;
    if (!p) return;
    const reason: CloseReason = st.closeReason ?? (c._disconnected ? 'disconnect' : st.hadWill ? 'lwt' : 'lost');
    metrics.clients.labels(p.type).dec();
    metrics.disconnects.labels(reason).inc();
    log.debug({ clientId: c.id, reason }, 'client disconnected');
    if (p.type !== 'device') return;
    writer.append({ topic: deviceStatusTopic(p), payload: reason, receivedAt: Date.now(), clientId: c.id, kind: 'x' }, 1);
  });
}
