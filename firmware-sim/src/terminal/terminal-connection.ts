import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { commandFilter, statusTopic } from '@tianwang/core/topics';
import { backoffDelay } from './backoff.js';
import type { DeviceSpec } from './device-spec.js';
import { OfflineBuffer, type BufferedMessage } from './offline-buffer.js';

export interface ConnectionOptions {
  brokerUrl: string;
  keepaliveS: number;
  firmware: string;
  /** telemetry interval announced in the status message, seconds */
  intervalS: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
  bufferCapacity: number;
}

/** What a connection tells the fleet, for the status line. */
export interface ConnectionEvents {
  connected(): void;
  disconnected(): void;
  published(n: number): void;
  /** a QoS 1 message the broker acknowledged (PUBACK): what a soak run compares with what was stored */
  acknowledged?(what: 'telemetry' | 'event' | 'status'): void;
  error(err: Error): void;
  reconnecting(): void;
  command(name: string, payload: Buffer): void;
}

/**
 * The network side of one terminal: one mqtt.js client, as a real terminal has one TCP connection.
 * Retained "online" status on connect, retained "offline/lwt" last will, our own reconnect with
 * jittered backoff (mqtt.js only knows a fixed period), and an offline buffer flushed after reconnecting.
 */
export class TerminalConnection {
  private client: MqttClient | undefined;
  private readonly buffer: OfflineBuffer;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private wrongSecret = false;
  connected = false;
  /** resolves when the first attempt has settled (connected or refused) */
  readonly firstAttempt: Promise<void>;
  private settleFirst!: () => void;
  connects = 0;

  constructor(
    readonly spec: DeviceSpec,
    private readonly options: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    this.buffer = new OfflineBuffer(options.bufferCapacity);
    this.firstAttempt = new Promise((r) => (this.settleFirst = r));
  }

  get buffered(): number {
    return this.buffer.size;
  }

  start(): void {
    const { spec, options } = this;
    const opts: IClientOptions = {
      clientId: spec.id,
      username: spec.id,
      password: this.password(),
      protocolVersion: 4,
      clean: true,
      keepalive: options.keepaliveS,
      reconnectPeriod: 0, // we reconnect ourselves, with backoff and jitter
      connectTimeout: options.connectTimeoutMs,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: statusTopic(spec.kind, spec.id), payload: Buffer.from(JSON.stringify({ state: 'offline', reason: 'lwt' })), qos: 1, retain: true },
    };
    const client = mqtt.connect(options.brokerUrl, opts);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => {
      this.events.error(err);
      this.settleFirst();
    });
    client.on('message', (topic, payload) => this.events.command(topic.slice(topic.lastIndexOf('/') + 1), payload));
  }

  /** Sends now when connected, otherwise keeps it for after the reconnect. */
  send(msg: BufferedMessage): void {
    if (this.connected && this.client) this.write(msg);
    else this.buffer.push(msg);
  }

  /** wrong_secret: log in again with a spoiled password (or the right one when it ends) */
  setWrongSecret(on: boolean): void {
    this.wrongSecret = on;
    if (!this.client) return;
    this.client.options.password = this.password();
    this.client.stream?.destroy(); // drop the link; the reconnect uses the new password
  }

  /** A terminal rebooting: the link drops without a DISCONNECT (the broker sends the last will). */
  dropLink(): void {
    this.client?.stream?.destroy();
  }

  /** Clean shutdown: retained offline status, then DISCONNECT (no last will). */
  async stop(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      const status = JSON.stringify({ state: 'offline', reason: 'shutdown', ts: Date.now() });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        client.publish(statusTopic(this.spec.kind, this.spec.id), status, { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await client.endAsync(false).catch(() => {});
  }

  private password(): string {
    return this.wrongSecret ? `${this.spec.secret}-wrong` : this.spec.secret;
  }

  private onConnect(): void {
    const client = this.client!;
    this.connected = true;
    this.attempt = 0;
    this.connects++;
    this.events.connected();
    this.settleFirst();
    const { kind, id } = this.spec;
    const status = { state: 'online', ts: Date.now(), interval: this.options.intervalS, firmware: this.options.firmware };
    client.publish(statusTopic(kind, id), JSON.stringify(status), { qos: 1, retain: true }, (err) => {
      if (!err) this.events.acknowledged?.('status');
    });
    client.subscribe(commandFilter(kind, id), { qos: 1 }, () => {});
    const backlog = this.buffer.drain();
    for (const msg of backlog) this.write(msg);
    this.events.published(1);
  }

  private onClose(): void {
    if (this.connected) {
      this.connected = false;
      this.events.disconnected();
    }
    this.settleFirst();
    if (this.closing) return;
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, this.options.reconnectMinMs, this.options.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      if (this.closing) return;
      this.events.reconnecting();
      this.client?.reconnect();
    }, delay);
  }

  private write(msg: BufferedMessage): void {
    this.client!.publish(msg.topic, msg.payload, { qos: msg.qos, retain: msg.retain ?? false }, (err) => {
      if (err) this.events.error(err);
      // mqtt.js calls back on PUBACK for QoS 1 (once, even when the message was resent after a reconnect)
      else if (msg.qos === 1) this.events.acknowledged?.(msg.priority === 'event' ? 'event' : msg.topic.endsWith('/status') ? 'status' : 'telemetry');
    });
    this.events.published(1);
  }
}
