import { z } from 'zod';
import { port, positiveInt, timeRange, url, v } from '../define.js';

export const alertsVars = {
  TW_SMS_PROVIDER: v(z.enum(['console', 'aliyun', 'twilio']).default('console'), 'Primary SMS provider. console: print messages (development).'),
  TW_SMS_FAILOVER: v(z.enum(['none', 'console', 'aliyun', 'twilio']).default('none'), 'Provider used when the primary keeps failing.'),
  TW_ALIYUN_ACCESS_KEY_ID: v(z.string().optional(), 'Aliyun AccessKey ID.', { secret: true }),
  TW_ALIYUN_ACCESS_KEY_SECRET: v(z.string().optional(), 'Aliyun AccessKey secret.', { secret: true }),
  TW_ALIYUN_ENDPOINT: v(z.string().default('dysmsapi.aliyuncs.com'), 'Aliyun SMS endpoint (host, or http(s)://host:port for a local endpoint).'),
  TW_ALIYUN_SIGN_NAME: v(z.string().default('天网提醒'), 'Registered SMS signature (签名).'),
  TW_TWILIO_ACCOUNT_SID: v(z.string().optional(), 'Twilio account SID.', { secret: true }),
  TW_TWILIO_AUTH_TOKEN: v(z.string().optional(), 'Twilio auth token.', { secret: true }),
  TW_TWILIO_FROM: v(z.string().optional(), 'Twilio sender number or messaging service SID.'),
  TW_TWILIO_API_URL: v(url(['http', 'https']).optional(), 'Override of the Twilio API base URL (a local endpoint in tests).'),
  TW_ESCALATE_PRINCIPAL_MIN: v(positiveInt(15, 1440), 'Minutes without acknowledgement before the unit principal is reminded.'),
  TW_ESCALATE_INSPECTOR_MIN: v(positiveInt(60, 10_080), 'Minutes without acknowledgement before the district inspector is reminded.'),
  TW_QUIET_HOURS: v(timeRange.default('22:00-08:00'), 'Local hours in which low-severity calendar reminders wait; critical alarms never wait.'),
  TW_TIMEZONE: v(z.string().default('Asia/Shanghai'), 'Time zone for quiet hours, SMS texts and calendar rules.'),
  TW_ALERTS_METRICS_PORT: v(port(9103), 'Prometheus /metrics of alerts (distributed mode).'),
};
