import type { AlertsConfig } from '@tianwang/core/config';
import { ConfigError } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import { createAliyunProvider } from './providers/aliyun.js';
import { createConsoleProvider } from './providers/console.js';
import { createTwilioProvider } from './providers/twilio.js';
import { TWILIO_STATUS_PATH } from '../links/twilio-signature.js';
import type { SmsProvider } from './provider.js';

/** Builds a provider from the configuration (secrets were checked by loadConfig's cross rules for the primary). */
/** `publicUrl`: the dashboard's public address; Twilio's status callbacks go to its TWILIO_STATUS_PATH. */
export function providerFromConfig(name: 'console' | 'aliyun' | 'twilio', c: AlertsConfig, log: Logger, publicUrl?: string): SmsProvider {
  switch (name) {
    case 'console':
      return createConsoleProvider(log);
    case 'aliyun':
      if (!c.aliyunAccessKeyId || !c.aliyunAccessKeySecret) throw new ConfigError('TW_ALIYUN_ACCESS_KEY_ID', 'and TW_ALIYUN_ACCESS_KEY_SECRET are required for the aliyun provider');
      return createAliyunProvider({
        accessKeyId: c.aliyunAccessKeyId, accessKeySecret: c.aliyunAccessKeySecret, endpoint: c.aliyunEndpoint, signName: c.aliyunSignName,
        templates: {
          alarm: { 'zh-CN': c.aliyunTemplateAlarm, en: c.aliyunTemplateAlarmEn },
          digest: { 'zh-CN': c.aliyunTemplateDigest, en: c.aliyunTemplateDigestEn },
          summary: { 'zh-CN': c.aliyunTemplateSummary, en: c.aliyunTemplateSummaryEn },
        },
      });
    case 'twilio':
      if (!c.twilioAccountSid || !c.twilioAuthToken || !c.twilioFrom) throw new ConfigError('TW_TWILIO_ACCOUNT_SID', 'TW_TWILIO_AUTH_TOKEN and TW_TWILIO_FROM are required for the twilio provider');
      return createTwilioProvider({ accountSid: c.twilioAccountSid, authToken: c.twilioAuthToken, from: c.twilioFrom, ...(c.twilioApiUrl ? { apiUrl: c.twilioApiUrl } : {}), ...(publicUrl ? { statusCallback: new URL(TWILIO_STATUS_PATH, publicUrl).href } : {}) });
  }
}
