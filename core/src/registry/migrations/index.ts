import { sql as initial } from './0001-initial.js';
import { sql as alerts } from './0002-alerts.js';
import { sql as notificationClaims } from './0003-notification-claims.js';
import { sql as registryIds } from './0004-registry-ids.js';
import { sql as workbench } from './0005-workbench.js';
import { sql as alarmCentre } from './0006-alarm-centre.js';
import { sql as kitchens } from './0007-kitchens.js';
import { sql as alarmIndexes } from './0008-alarm-indexes.js';
import { sql as rectificationPublic } from './0009-rectification-public.js';
import { sql as alarmPlacement } from './0010-alarm-placement.js';
import { sql as leadInspector } from './0011-lead-inspector.js';

export interface Migration {
  /** sortable, unique, never reused: "0001-initial" */
  version: string;
  sql: string;
}

/** Every migration, in order. Add new ones at the end with the next number. */
export const MIGRATIONS: Migration[] = [
  { version: '0001-initial', sql: initial },
  { version: '0002-alerts', sql: alerts },
  { version: '0003-notification-claims', sql: notificationClaims },
  { version: '0004-registry-ids', sql: registryIds },
  { version: '0005-workbench', sql: workbench },
  { version: '0006-alarm-centre', sql: alarmCentre },
  { version: '0007-kitchens', sql: kitchens },
  { version: '0008-alarm-indexes', sql: alarmIndexes },
  { version: '0009-rectification-public', sql: rectificationPublic },
  { version: '0010-alarm-placement', sql: alarmPlacement },
  { version: '0011-lead-inspector', sql: leadInspector },
];
