import * as Dysms from '@alicloud/dysmsapi20170525';
import * as OpenApi from '@alicloud/openapi-client';
import { ProviderFailedError, RecipientRejectedError, mainlandNumber, type Locale, type SmsMessage, type SmsProvider, type TemplateId } from '../provider.js';

// The SDK is CommonJS compiled from TypeScript: under ESM the class sits on .default (once or twice)
type ClientCtor = new (config: unknown) => { sendSms(req: unknown): Promise<{ statusCode?: number; body?: { code?: string; message?: string; bizId?: string; requestId?: string } }> };
const SmsClient = ((Dysms as unknown as { default: { default?: ClientCtor } & ClientCtor }).default.default ??
  (Dysms as unknown as { default: ClientCtor }).default) as ClientCtor;
const ConfigCtor = ((OpenApi as unknown as { Config?: unknown }).Config ?? (OpenApi as unknown as { default: { Config: unknown } }).default.Config) as new (o: Record<string, unknown>) => unknown;

export interface AliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** host ("dysmsapi.aliyuncs.com") or a URL with scheme and port for a local endpoint */
  endpoint: string;
  signName: string;
  /** registered template codes per template and locale */
  templates: Record<TemplateId, Record<Locale, string>>;
  /** ms */
  timeout?: number;
}

/** Business error codes (answered with HTTP 200) that mean this recipient or message can never succeed. */
const RECIPIENT_CODES = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT', 'isv.PARAM_LENGTH_LIMIT', 'isv.INVALID_PARAMETERS', 'isv.BLACK_KEY_CONTROL_LIMIT']);

/**
 * Aliyun SMS (dysmsapi 2017-05-25, SendSms) through the official SDK. Aliyun reports business errors in a 200
 * body, so success is `body.code === 'OK'` and nothing else. BUSINESS_LIMIT_CONTROL (per-number flow control)
 * and account/template problems are provider failures: retried later, and a reason to fail over.
 */
export function createAliyunProvider(o: AliyunOptions): SmsProvider {
  const url = /^https?:\/\//.test(o.endpoint) ? new URL(o.endpoint) : undefined;
  const client = new SmsClient(
    new ConfigCtor({
      accessKeyId: o.accessKeyId,
      accessKeySecret: o.accessKeySecret,
      endpoint: url ? url.host : o.endpoint,
      protocol: url ? url.protocol.replace(':', '') : 'https',
      readTimeout: o.timeout ?? 10_000,
      connectTimeout: o.timeout ?? 5_000,
    }),
  );
  return {
    name: 'aliyun',
    async send(m: SmsMessage) {
      const phone = mainlandNumber(m.to);
      if (!phone) throw new RecipientRejectedError('aliyun', 'isv.MOBILE_NUMBER_ILLEGAL', `not a mainland mobile number: ${m.to}`);
      const request = new Dysms.SendSmsRequest({
        phoneNumbers: phone,
        signName: o.signName,
        templateCode: o.templates[m.template][m.locale],
        templateParam: JSON.stringify(m.params),
      });
      let response;
      try {
        response = await client.sendSms(request);
      } catch (err) {
        const e = err as { code?: string; statusCode?: number; message?: string };
        throw new ProviderFailedError('aliyun', e.code ?? (e.statusCode ? `HTTP ${e.statusCode}` : 'network'), e.message ?? String(err), { cause: err });
      }
      const body = response.body ?? {};
      if (body.code === 'OK') return { provider: 'aliyun', messageId: body.bizId ?? body.requestId ?? '' };
      const code = body.code ?? 'unknown';
      if (RECIPIENT_CODES.has(code)) throw new RecipientRejectedError('aliyun', code, body.message ?? '');
      throw new ProviderFailedError('aliyun', code, body.message ?? '');
    },
  };
}
