import type { Severity } from '../rules/types.js';

/** `rework`: the inspector sent a rectification back; the unit's safety officer is told (stored as `rework-<round>`). */
export type Stage = 'officer' | 'maintenance' | 'principal' | 'inspector' | 'contact' | 'rework';

export interface PlannedStage {
  stage: Stage;
  /** minutes after the alarm opened; the stage is skipped if someone acknowledged before */
  afterMin: number;
}

/** Stages that only exist to chase a reaction: cancelled as soon as someone acknowledges. */
export const ESCALATION_STAGES: Stage[] = ['principal', 'inspector'];

/**
 * Pure: who is told, and when, for an alarm. The escalation table in docs/alerts.md is this function.
 *   device critical/major: safety officer now, principal after N min, district inspector after M min
 *   device minor:          safety officer now, principal after N min
 *   device warning:        safety officer now
 *   trapped passengers:    + maintenance company's emergency phone now (rescue within 30 min is their duty)
 *   camera:                kitchen contact now, district inspector after M min when major or worse
 */
export function planStages(a: { severity: Severity; type: string; subjectType: 'device' | 'camera' }, m: { principal: number; inspector: number }): PlannedStage[] {
  if (a.subjectType === 'camera') {
    const out: PlannedStage[] = [{ stage: 'contact', afterMin: 0 }];
    if (a.severity === 'critical' || a.severity === 'major') out.push({ stage: 'inspector', afterMin: m.inspector });
    return out;
  }
  const out: PlannedStage[] = [{ stage: 'officer', afterMin: 0 }];
  if (a.type === 'fault:11') out.push({ stage: 'maintenance', afterMin: 0 });
  if (a.severity !== 'warning') out.push({ stage: 'principal', afterMin: m.principal });
  if (a.severity === 'critical' || a.severity === 'major') out.push({ stage: 'inspector', afterMin: m.inspector });
  return out;
}

export const STAGE_LABEL: Record<Stage, { zh: string; en: string }> = {
  officer: { zh: '安全管理员', en: 'safety officer' },
  principal: { zh: '主要负责人', en: 'principal' },
  inspector: { zh: '监管人员', en: 'inspector' },
  maintenance: { zh: '维保单位', en: 'maintenance company' },
  contact: { zh: '餐饮单位联系人', en: 'kitchen contact' },
  rework: { zh: '整改退回', en: 'fix rejected' },
};
