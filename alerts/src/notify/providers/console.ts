import { randomUUID } from 'node:crypto';
import type { Logger } from '@tianwang/core/log';
import type { SmsMessage, SmsProvider } from '../provider.js';

/** Development provider: logs the rendered text (and keeps the last messages for the demo page and tests). */
export function createConsoleProvider(log?: Logger, keep = 200): SmsProvider & { sent: (SmsMessage & { messageId: string })[] } {
  const sent: (SmsMessage & { messageId: string })[] = [];
  return {
    name: 'console',
    sent,
    async send(m) {
      const messageId = randomUUID();
      sent.push({ ...m, messageId });
      if (sent.length > keep) sent.shift();
      if (log) log.info({ to: m.to, text: m.text, messageId }, 'SMS (console provider)');
      else process.stdout.write(`SMS to ${m.to}: ${m.text}\n`);
      return { provider: 'console', messageId };
    },
  };
}
