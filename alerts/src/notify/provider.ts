import { OperationalError, PermanentError } from '@tianwang/core/errors';

export type Locale = 'zh-CN' | 'en';
export type TemplateId = 'alarm' | 'digest' | 'summary';

/**
 * One SMS as every provider receives it: template-based providers (Aliyun) use `template` + `params` with a
 * registered template code; text providers (Twilio, console) send `text`, rendered from the same template.
 */
export interface SmsMessage {
  to: string;
  locale: Locale;
  template: TemplateId;
  params: Record<string, string>;
  text: string;
}

export interface SmsResult {
  provider: string;
  messageId: string;
}

/**
 * Every provider passes one contract suite (test/sms-provider-contract.test.ts). `send` resolves when the
 * provider accepted the message and otherwise throws:
 *   RecipientRejectedError  this message can never be delivered (invalid number …): never retried, no failover
 *   ProviderFailedError     the provider failed (network, 5xx, throttling, account or template problem):
 *                           retried with backoff, and counted towards failing over to the other provider
 */
/** What a provider's delivery report says about one sent message. */
export type Receipt = { state: 'delivered'; at: Date } | { state: 'failed'; at: Date; error: string } | { state: 'pending' };

export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<SmsResult>;
  /** Asks the provider about a sent message (Aliyun QuerySendDetails); providers that call back instead have none. */
  receipt?(q: { messageId: string; to: string; sentAt: Date }): Promise<Receipt>;
  close?(): Promise<void>;
}

export class RecipientRejectedError extends PermanentError {
  constructor(readonly provider: string, readonly providerCode: string, message: string) {
    super('TW_PROVIDER_REJECTED', `${provider}: ${providerCode}: ${message}`);
  }
}

export class ProviderFailedError extends OperationalError {
  constructor(readonly provider: string, readonly providerCode: string, message: string, options?: { cause?: unknown }) {
    super('TW_DEPENDENCY_UNAVAILABLE', `${provider}: ${providerCode}: ${message}`, options);
  }
}

/** Mainland numbers: 11 digits starting with 1, with or without +86 / 86. */
const MAINLAND = /^(?:\+?86)?(1\d{10})$/;

export function mainlandNumber(phone: string): string | undefined {
  return MAINLAND.exec(phone.replace(/[\s-]/g, ''))?.[1];
}

/** E.164 for international providers: a bare mainland number gets +86. */
export function e164(phone: string): string {
  const p = phone.replace(/[\s-]/g, '');
  const cn = mainlandNumber(p);
  if (cn) return `+86${cn}`;
  return p.startsWith('+') ? p : `+${p}`;
}

/** The language a recipient reads: English for numbers outside mainland China, else the configured default. */
export function localeFor(phone: string, fallback: Locale): Locale {
  const p = phone.replace(/[\s-]/g, '');
  if (p.startsWith('+') && !p.startsWith('+86')) return 'en';
  return fallback;
}
