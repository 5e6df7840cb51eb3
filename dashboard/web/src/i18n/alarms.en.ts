import type { alarmsZhCN } from './alarms.zh-cn';

/** English of the alarm centre (same keys as alarms.zh-cn.ts). */
export const alarmsEn: typeof alarmsZhCN = {
  alarm: {
    menu: 'Alarm centre', detailTitle: 'Alarm', notFound: 'The alarm does not exist or is outside your jurisdiction',
    state: { open: 'Unacknowledged', acknowledged: 'Acknowledged', rectified: 'Fix reported', closed: 'Closed', false_alarm: 'False alarm', auto_cleared: 'Auto-cleared' },
    kind: { elevator: 'Elevator', boiler: 'Boiler', camera: 'Kitchen' },
    via: { sms_link: 'SMS link', dashboard: 'dashboard', automatic: 'rule', api: 'API', cli: 'CLI' },
    filter: {
      state: 'State', severity: 'Severity', type: 'Type', kind: 'Equipment', unit: 'Unit', district: 'District / grid', company: 'Maintenance co.',
      from: 'First seen from', to: 'to', trapped: 'Trapped passengers (fault:11)',
    },
    col: { id: 'No.', state: 'State', severity: 'Severity', title: 'Alarm', subject: 'Device / location', unit: 'Unit / district', firstSeen: 'First seen', count: 'Count', handled: 'Handling' },
    list: 'Alarms', total: '{n} in all', shown: '{n} of {total} shown', more: 'Load more', empty: 'No alarms match',
    bulkAck: 'Acknowledge selected', bulkAckDone: '{n} acknowledged, {skipped} skipped (not open or out of scope)', selectFirst: 'Select open alarms first',
    sound: 'Sound', soundHint: 'Play a sound on a new alarm (remembered in this browser)',
    toastTitle: 'New alarm', toastOpen: 'Click to open',
    ackedBy: 'acknowledged by {who} at {at} via {via}', arrivedBy: '{who} on site at {at}', rectifiedBy: 'fix reported by {who} at {at}', verifiedBy: 'verified by {who} at {at}',
    closedBy: 'closed at {at} by {who}', closedVia: 'closed at {at} ({via})', rework: 'sent back {n} time(s)',
    counter: { open: 'Unacknowledged', acknowledged: 'Acknowledged', rectified: 'To verify', critical: 'Critical' },
    detail: {
      overview: 'Overview', device: 'Device', unit: 'Unit', district: 'District', firstSeen: 'First seen', lastSeen: 'Last seen', cleared: 'Condition cleared',
      count: 'Count', assignee: 'Assignee', noAssignee: 'Unassigned', assignMe: 'Assign to me', assigned: 'Assigned',
      trigger: 'What raised it', chart: 'Telemetry 10 min before and after', noChart: 'No telemetry charts for this kind',
      steps: 'Steps', timeline: 'SMS escalation timeline', noSms: 'No SMS sent yet', nextStage: 'Next: {role}', dueIn: 'escalates in {t}', dueNow: 'escalating now',
      stage: 'Stage', recipient: 'Recipient', provider: 'Provider', messageId: 'Message id', smsStatus: 'Status', sentAt: 'Sent', deliveredAt: 'Delivered',
      acknowledge: 'Acknowledge', acknowledged: 'Alarm acknowledged', comments: 'Comments', addComment: 'Add comment', commentPlaceholder: 'What was done, who was called…', noComments: 'No comments',
      rectify: 'Rectification', rectifyNote: 'What was fixed', rectifyPlaceholder: 'e.g. technician on site in 20 min, passengers released, door relay replaced', rectifySubmit: 'Report the fix', rectified: 'Fix reported',
      photos: 'Photos', upload: 'Upload photo', photoHint: 'JPEG / PNG / WebP, up to 5 MB each, at most 9', uploaded: 'Photo uploaded',
      photoTooLarge: 'The photo is over 5 MB and was not uploaded', photoType: 'Only JPEG, PNG or WebP images', photoRefused: 'Photo not uploaded: {msg}',
      verify: 'Verification', accept: 'Accept the fix', reject: 'Send back', rejectReason: 'Reason', rejectPlaceholder: 'What must be fixed again (the unit gets an SMS)',
      accepted: 'Fix accepted, alarm closed', rejected: 'Sent back; the unit gets an SMS', verifications: 'Verdicts', reasonRequired: 'Give a reason',
      verdict: { accepted: 'accepted', rejected: 'sent back' }, live: 'live', actionFailed: 'Failed: {msg}',
    },
    sms: { queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered', failed: 'failed', merged: 'merged', cancelled: 'cancelled' },
    stageName: { officer: 'Safety officer', principal: 'Principal', inspector: 'Inspector', maintenance: 'Maintenance', contact: 'Kitchen contact', rework: 'Sent back' },
  },
};
