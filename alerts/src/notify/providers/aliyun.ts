import * as Dysms from '@alicloud/dysmsapi20170525';
import * as OpenApi from '@alicloud/openapi-client';
import { ProviderFailedError, RecipientRejectedError, mainlandNumber, type Locale, type Receipt, type SmsMessage, type SmsProvider, type TemplateId } from '../provider.js';

// The SDK is CommonJS compiled from TypeScript: under ESM the class sits on .default (once or twice)
interface SendDetail { sendStatus?: number; errCode?: string; receiveDate?: string; phoneNum?: string }
type ClientCtor = new (config: unknown) => {
  sendSms(req: unknown): Promise<{ statusCode?: number; body?: { code?: string; message?: string; bizId?: string; requestId?: string } }>;
  querySendDetails(req: unknown): Promise<{ body?: { code?: string; message?: string; smsSendDetailDTOs?: { smsSendDetailDTO?: SendDetail[] } } }>;
};
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
    /**
     * QuerySendDetails (dysmsapi 2017-05-25): the delivery report of one message, by phone, BizId and send day
     * (yyyyMMdd, China time). SendStatus 1 = waiting for the receipt, 2 = failed (ErrCode), 3 = delivered
     * (ReceiveDate "yyyy-MM-dd HH:mm:ss", China time).
     */
    async receipt(q: { messageId: string; to: string; sentAt: Date }): Promise<Receipt> {
      const china = new Date(q.sentAt.getTime() + 8 * 3_600_000).toISOString();
      const request = new Dysms.QuerySendDetailsRequest({ phoneNumber: mainlandNumber(q.to) ?? q.to, bizId: q.messageId, sendDate: china.slice(0, 10).replace(/-/g, ''), pageSize: 10, currentPage: 1 });
      let body;
      try {
        body = (await client.querySendDetails(request)).body ?? {};
      } catch (err) {
        const e = err as { code?: string; message?: string };
        throw new ProviderFailedError('aliyun', e.code ?? 'network', e.message ?? String(err), { cause: err });
      }
      if (body.code !== 'OK') throw new ProviderFailedError('aliyun', body.code ?? 'unknown', body.message ?? '');
      const d = body.smsSendDetailDTOs?.smsSendDetailDTO?.[0];
      const at = d?.receiveDate ? new Date(`${d.receiveDate.replace(' ', 'T')}+08:00`) : new Date();
      if (d?.sendStatus === 3) return { state: 'delivered', at };
      if (d?.sendStatus === 2) return { state: 'failed', at, error: d.errCode ?? 'failed' };
      return { state: 'pending' };
    },
  };
}
