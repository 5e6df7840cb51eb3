import { randomUUID } from 'node:crypto';
import type { Logger } from '@tianwang/core/log';
import { RecipientRejectedError, e164, type SmsMessage, type SmsProvider } from '../provider.js';

/** Development provider: logs the rendered text (and keeps the last messages for the demo page and tests). */
export function createConsoleProvider(log?: Logger, keep = 200): SmsProvider & { sent: (SmsMessage & { messageId: string })[] } {
  const sent: (SmsMessage & { messageId: string })[] = [];
  return {
    name: 'console',
    sent,
    async send(m) {
      // the same number check a real provider makes, so development shows the same failures
      if (!/^\+[1-9]\d{6,14}$/.test(e164(m.to))) throw new RecipientRejectedError('console', 'invalid_number', `not a phone number: ${m.to}`);
      const messageId = randomUUID();
      sent.push({ ...m, messageId });
      if (sent.length > keep) sent.shift();
      if (log) log.info({ to: m.to, text: m.text, messageId }, 'SMS (console provider)');
      else process.stdout.write(`SMS to ${m.to}: ${m.text}\n`);
      return { provider: 'console', messageId };
    },
  };
}
