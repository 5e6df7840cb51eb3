import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { BrokerConfig } from '@tianwang/core/config';
import type { Logger } from '@tianwang/core/log';
import type { Aedes } from 'aedes';
import type { TwClient } from '../client-state.js';
import { installFastParse } from '../fast-path/fast-publish.js';
import { coalesceWrites } from '../fast-path/write-coalescing.js';
import type { BrokerMetrics } from '../metrics.js';
import { initialTokens, type ConnectionGate } from '../policy/limits.js';
import { sourceKey, type LoginLimiter } from '../policy/login-limiter.js';
import { guardParser, type ParserGuards } from '../protocol/parser-guards.js';
import type { ConnectionHandler } from './types.js';

/**
 * Closes a connection refused before any MQTT parsing. A TCP socket is reset (RST): no FIN exchange, and no
 * TIME_WAIT left on the broker's side for each of thousands of refused connections in a storm.
 */
export function refuse(stream: Duplex): void {
  if (stream instanceof Socket && !(stream instanceof TLSSocket)) stream.resetAndDestroy();
  else stream.destroy();
}

/** The packet size limit and the PUBLISH rules, with what the broker counts and logs when one is broken. */
export function parserGuards(cfg: Pick<BrokerConfig, 'mqttMaxPacketBytes'>, metrics: BrokerMetrics, log: Logger): ParserGuards {
  return {
    maxBytes: cfg.mqttMaxPacketBytes,
    onTooBig: (client, length) => {
      metrics.limitViolations.labels('packet_size').inc();
      client.tw.closeReason = 'kicked';
      log.warn({ clientId: client.id, source: client.tw.source, length, max: cfg.mqttMaxPacketBytes }, 'packet over the size limit: disconnecting');
    },
    onFault: (client, rule) => {
      metrics.protocolViolations.labels(rule).inc();
      client.tw.closeReason = 'refused';
      log.info({ clientId: client.id, source: client.tw.source, rule }, 'PUBLISH breaks an MQTT rule: disconnecting');
    },
  };
}

export interface ConnectionHandlerOptions {
  broker: Aedes;
  cfg: Pick<BrokerConfig, 'mqttMaxPacketBytes' | 'mqttPublishRate'>;
  logins: LoginLimiter;
  gate: ConnectionGate;
  metrics: BrokerMetrics;
  log: Logger;
}

/**
 * What every listener (TCP, TLS, WebSocket) hands an accepted connection to: the per-source login limit and
 * the connection cap are checked before any MQTT parsing, so a source over its limits costs no more than the
 * accept; an admitted stream gets its client state, the parser guards and the fast publish path.
 */
export function createConnectionHandler(o: ConnectionHandlerOptions): ConnectionHandler {
  const guards = parserGuards(o.cfg, o.metrics, o.log);
  const refusedPending = o.metrics.limitViolations.labels('login_pending');
  return (stream, source, transport, req) => {
    const key = sourceKey(source);
    if (!o.logins.tryOpen(key)) {
      refusedPending.inc();
      refuse(stream);
      return;
    }
    if (!o.gate.tryOpen()) {
      o.logins.release(key);
      o.metrics.limitViolations.labels('connections').inc();
      refuse(stream);
      return;
    }
    const gauge = o.metrics.connections.labels(transport);
    gauge.inc();
    let released = false;
    stream.once('close', () => {
      if (released) return;
      released = true;
      o.gate.release();
      gauge.dec();
      // closed before any login verdict: its login slot is free (a failure being answered keeps it)
      if (client.tw.loginSlot === 'held') {
        client.tw.loginSlot = 'free';
        o.logins.release(key);
      }
    });
    coalesceWrites(stream);
    const client = o.broker.handle(stream, req) as TwClient;
    client.tw = {
      source, sourceKey: key, loginSlot: 'held', transport, hadWill: false, emptyClientId: false,
      tokens: initialTokens(o.cfg.mqttPublishRate), refilledAt: Date.now(),
    };
    guardParser(client, guards);
    installFastParse(client);
  };
}
