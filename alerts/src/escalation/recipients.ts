import type { Alarm, Registry } from '@tianwang/core/registry';
import { mainlandNumber } from '../notify/provider.js';
import type { Stage } from './plan.js';

export interface Recipient {
  name: string;
  phone: string;
}

/** What an SMS says about the alarm's subject. */
export interface SubjectInfo {
  unit: string;
  deviceName: string;
  registrationCode?: string;
  location?: string;
  districtId: string;
}

export async function subjectInfo(registry: Registry, alarm: Alarm): Promise<SubjectInfo> {
  if (alarm.subjectType === 'camera') {
    const cam = await registry.kitchens.getCamera(alarm.subjectId);
    const k = await registry.kitchens.get(cam.kitchenId);
    return { unit: k.name, deviceName: cam.name || cam.id, location: k.address, districtId: k.districtId };
  }
  const d = await registry.devices.context(alarm.subjectId);
  return { unit: d.unitName, deviceName: d.name, registrationCode: d.registrationCode, location: d.location, districtId: d.districtId };
}

/** The people of one stage, from the registry at the time the stage runs (a contact changed meanwhile is honoured). */
export async function recipientsOf(registry: Registry, alarm: Alarm, stage: Stage): Promise<Recipient[]> {
  const inspectors = async (districtId: string) =>
    (await registry.users.list({ role: 'inspector', districtId })).filter((u) => u.enabled && u.phone).map((u) => ({ name: u.displayName, phone: u.phone as string }));
  if (alarm.subjectType === 'camera') {
    const k = await registry.kitchens.get(alarm.kitchenId ?? (await registry.kitchens.getCamera(alarm.subjectId)).kitchenId);
    if (stage === 'contact') return k.contactPhone ? [{ name: k.contactName, phone: k.contactPhone }] : [];
    if (stage === 'inspector') return inspectors(k.districtId);
    return [];
  }
  const d = await registry.devices.context(alarm.subjectId);
  switch (stage) {
    case 'officer':
    case 'rework':
      return [{ name: d.safetyOfficerName, phone: d.safetyOfficerPhone }];
    case 'principal':
      return [{ name: d.principalName, phone: d.principalPhone }];
    case 'maintenance': {
      const phone = maintenanceSmsPhone(d.maintenanceEmergencyPhone, d.maintenanceContactPhone);
      return phone ? [{ name: d.maintenanceCompanyName ?? '', phone }] : [];
    }
    case 'inspector':
      return inspectors(d.districtId);
    default:
      return [];
  }
}

/**
 * Where the maintenance company's SMS goes. Its 24-hour emergency line is often a 400/800 service number or a
 * landline, which takes calls but no SMS (the demo's companies have 400 numbers): then the SMS goes to the company's
 * contact mobile. A mainland number (+86…, or any number without a foreign +<country> prefix) receives SMS only if
 * it is a mobile (11 digits starting with 1); a foreign E.164 number is taken as it is.
 */
export function maintenanceSmsPhone(emergency: string | null, contact: string | null): string | undefined {
  // anything not written as a foreign +<country> number is a mainland one
  const foreign = (p: string) => /^\+(?!86)/.test(p.replace(/[\s-]/g, ''));
  const receivesSms = (p: string | null): p is string => !!p && (mainlandNumber(p) !== undefined || foreign(p));
  if (receivesSms(emergency)) return emergency;
  if (receivesSms(contact)) return contact;
  return undefined;
}
