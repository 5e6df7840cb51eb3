/**
 * `@tianwang/alerts/actions`: what another process needs to act on alarms (the dashboard's acknowledgement page
 * and API): the alarm lifecycle with its audit, stopping the escalation, the SMS links, phone masking.
 * Nothing here imports the SMS providers' SDKs (@alicloud/*, twilio) or the rules engine, so a process that
 * only acknowledges alarms does not load them (dashboard/test/no-sms-sdk.test.ts proves it for the dashboard).
 */
export { createAlarmActions, type AlarmActions, type AlarmActionsOptions } from './alarms/alarm-actions.js';
export type { NoticeInput, SummaryInput } from './notify/notice.js';
export { createAlarmService, type AlarmService, type Actor, type AlarmSubject } from './alarms/alarm-service.js';
export { createAckLink, resolveAckLink, maskPhone, shortId, type AckClaims, type ResolvedLink } from './links/ack-link.js';
export { planStages, STAGE_LABEL, type Stage } from './escalation/plan.js';
export { alertsKeys } from './keys.js';
export { TWILIO_STATUS_PATH, twilioSignature, verifyTwilioSignature } from './links/twilio-signature.js';
export { localDate, localShortTime, msUntilRangeEnd } from './time/local-time.js';
