/**
 * The BullMQ queue names of alerts/, in one place: the service schedules on them and createAlarmActions (the
 * dashboard's acknowledgement page) removes escalation jobs from the same queue; a name written twice could
 * drift and escalations would silently stop being cancelled.
 */
export const QUEUES = { escalation: 'alerts-escalation', sms: 'alerts-sms', calendar: 'alerts-calendar' } as const;
