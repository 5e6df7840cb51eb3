import type { BrokerConfig } from '@tianwang/core/config';
import { ConfigError } from '@tianwang/core/errors';
import { listenTcp } from './tcp.js';
import { listenTls } from './tls.js';
import type { ConnectionHandler, Listener } from './types.js';
import { listenWs } from './ws.js';

type ListenerConfig = Pick<BrokerConfig, 'mqttHost' | 'mqttPort' | 'mqttsPort' | 'mqttTlsCertFile' | 'mqttTlsKeyFile' | 'mqttWsPort' | 'mqttMaxPacketBytes'>;

/**
 * Opens the configured listeners in order (TCP always, then TLS and WebSocket when their port is set), pushing
 * each onto `opened` as soon as it listens, so that a later one failing leaves the caller able to close them.
 */
export async function openListeners(cfg: ListenerConfig, handle: ConnectionHandler, opened: Listener[]): Promise<void> {
  opened.push(await listenTcp(cfg.mqttHost, cfg.mqttPort, handle));
  if (cfg.mqttsPort !== undefined) {
    if (!cfg.mqttTlsCertFile || !cfg.mqttTlsKeyFile) throw new ConfigError('TW_MQTTS_PORT', 'needs TW_MQTT_TLS_CERT_FILE and TW_MQTT_TLS_KEY_FILE');
    opened.push(await listenTls(cfg.mqttHost, cfg.mqttsPort, cfg.mqttTlsCertFile, cfg.mqttTlsKeyFile, handle));
  }
  if (cfg.mqttWsPort !== undefined) opened.push(await listenWs(cfg.mqttHost, cfg.mqttWsPort, cfg.mqttMaxPacketBytes, handle));
}
