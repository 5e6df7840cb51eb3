import { connect as tcpConnect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/** MQTT over a raw socket: the test decides every byte and how packets fall into TCP chunks. */
export const gen = (p: Record<string, unknown>): Buffer => mqttPacket.generate(p as unknown as Packet);

export const publishPacket = (topic: string, payload: string, qos: 0 | 1 | 2, messageId?: number): Buffer =>
  gen({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos ? { messageId } : {}) });

export const connectPacket = (clientId: string, username: string, password: string, clean = true): Buffer =>
  gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, clientId, keepalive: 0, username, password: Buffer.from(password) });

export type ReceivedPacket = Packet & { messageId?: number; payload?: Buffer; qos?: number; dup?: boolean; retain?: boolean; topic?: string; returnCode?: number; granted?: number[] };

export interface Raw {
  socket: Socket;
  packets: ReceivedPacket[];
  closed: () => boolean;
  /** called with every packet after CONNACK, as it arrives */
  listeners: ((p: ReceivedPacket) => void)[];
}

/** Connects and resolves once CONNACK 0 came (rejects with the return code otherwise); `localAddress` picks the source. */
export function raw(port: number, clientId: string, username: string, password: string, clean = true, localAddress?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: ReceivedPacket[] = [];
    const listeners: Raw['listeners'] = [];
    let isClosed = false;
    socket.on('close', () => {
      isClosed = true;
      reject(new Error('closed before CONNACK'));
    });
    socket.on('error', () => {});
    parser.on('packet', (packet: Packet) => {
      const p = packet as ReceivedPacket;
      if (p.cmd === 'connack') {
        if (p.returnCode === 0) resolve({ socket, packets, closed: () => isClosed, listeners });
        else reject(Object.assign(new Error(`refused ${p.returnCode}`), { code: p.returnCode }));
        return;
      }
      packets.push(p);
      for (const l of listeners) l(p);
    });
    socket.on('data', (b: Buffer) => parser.parse(b));
    socket.once('connect', () => socket.write(connectPacket(clientId, username, password, clean)));
  });
}

/** Acknowledges every message delivered at QoS 1 (PUBACK) and 2 (PUBREC, then PUBCOMP), as a real subscriber does. */
export function autoAck(r: Raw): void {
  r.listeners.push((p) => {
    if (p.cmd === 'publish' && p.qos === 1) r.socket.write(gen({ cmd: 'puback', messageId: p.messageId }));
    if (p.cmd === 'publish' && p.qos === 2) r.socket.write(gen({ cmd: 'pubrec', messageId: p.messageId }));
    if (p.cmd === 'pubrel') r.socket.write(gen({ cmd: 'pubcomp', messageId: p.messageId }));
  });
}

export const ofType = (r: Raw, cmd: string): ReceivedPacket[] => r.packets.filter((p) => p.cmd === cmd);

/**
 * A PUBLISH built byte by byte, for what mqtt-packet will not generate: topic bytes that are not valid UTF-8,
 * packet id 0, DUP at QoS 0.
 */
export function rawPublish(o: { topic: Buffer | string; qos: 0 | 1 | 2; messageId?: number; dup?: boolean; payload?: string }): Buffer {
  const topic = typeof o.topic === 'string' ? Buffer.from(o.topic) : o.topic;
  const id = o.qos > 0 ? Buffer.from([(o.messageId ?? 1) >> 8, (o.messageId ?? 1) & 255]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 255]), topic, id, Buffer.from(o.payload ?? '')]);
  const length: number[] = [];
  let n = body.length;
  do {
    length.push((n & 127) | (n > 127 ? 128 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30 | (o.dup ? 8 : 0) | (o.qos << 1), ...length]), body]);
}
