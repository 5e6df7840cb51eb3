/**
 * Fault and event codes reported by terminals. Elevator codes 01–11 follow GB/T 24476-style elevator IoT
 * platforms; 12–16 are the common platform extras. Boiler codes are prefixed "B".
 * `zh`/`en` are the short names used in SMS texts and the UI.
 */
export interface FaultCodeInfo {
  code: string;
  key: string;
  zh: string;
  en: string;
  kind: 'elevator' | 'boiler';
}

export const ELEVATOR_FAULT_CODES = {
  '01': { key: 'safety_circuit', zh: '安全回路断路', en: 'safety circuit broken' },
  '02': { key: 'door_close_fault', zh: '关门故障', en: 'door-close fault' },
  '03': { key: 'door_open_fault', zh: '开门故障', en: 'door-open fault' },
  '04': { key: 'stop_outside_door_zone', zh: '门区外停梯', en: 'stopped outside door zone' },
  '05': { key: 'moving_doors_open', zh: '开门走车', en: 'unintended car movement (doors open)' },
  '06': { key: 'motor_runtime_limit', zh: '电动机运转时间限制器动作', en: 'motor run-time limiter' },
  '07': { key: 'floor_position_lost', zh: '楼层位置丢失', en: 'floor position lost' },
  '08': { key: 'prevent_rerun', zh: '防止电梯再运行故障', en: 'prevent-rerun fault' },
  '09': { key: 'overtravel_top', zh: '冲顶', en: 'overtravel top' },
  '10': { key: 'overtravel_bottom', zh: '蹲底', en: 'overtravel bottom' },
  '11': { key: 'trapped', zh: '困人', en: 'trapped passengers' },
  '12': { key: 'overspeed', zh: '超速', en: 'overspeed' },
  '13': { key: 'power_cut', zh: '停电', en: 'power cut' },
  '14': { key: 'door_held_open', zh: '长时间开门', en: 'door held open too long' },
  '15': { key: 'door_repeated', zh: '反复开关门', en: 'repeated door open/close' },
  '16': { key: 'ebike', zh: '电动车入梯', en: 'e-bike in car' },
} as const satisfies Record<string, Omit<FaultCodeInfo, 'code' | 'kind'>>;

export const BOILER_FAULT_CODES = {
  B01: { key: 'low_water', zh: '极低水位（缺水）', en: 'extreme low water' },
  B02: { key: 'high_water', zh: '极高水位（满水）', en: 'extra-high water' },
  B03: { key: 'overpressure', zh: '超压', en: 'overpressure' },
  B04: { key: 'overtemperature', zh: '超温', en: 'overtemperature' },
  B05: { key: 'flame_failure', zh: '熄火', en: 'flame failure' },
  B06: { key: 'high_flue_temp', zh: '排烟温度过高', en: 'high flue temperature' },
  B07: { key: 'feedwater_hardness', zh: '给水硬度超标', en: 'feed-water hardness' },
  B08: { key: 'no_certified_operator', zh: '无持证司炉人员在岗', en: 'no certified operator on shift' },
} as const satisfies Record<string, Omit<FaultCodeInfo, 'code' | 'kind'>>;

export type ElevatorFaultCode = keyof typeof ELEVATOR_FAULT_CODES;
export type BoilerFaultCode = keyof typeof BOILER_FAULT_CODES;

export const ELEVATOR_CODES = Object.keys(ELEVATOR_FAULT_CODES) as [ElevatorFaultCode, ...ElevatorFaultCode[]];
export const BOILER_CODES = Object.keys(BOILER_FAULT_CODES) as [BoilerFaultCode, ...BoilerFaultCode[]];

export function faultCodeInfo(code: string): FaultCodeInfo | undefined {
  // own keys only: "toString" and friends are not fault codes
  if (Object.hasOwn(ELEVATOR_FAULT_CODES, code)) return { code, kind: 'elevator', ...ELEVATOR_FAULT_CODES[code as ElevatorFaultCode] };
  if (Object.hasOwn(BOILER_FAULT_CODES, code)) return { code, kind: 'boiler', ...BOILER_FAULT_CODES[code as BoilerFaultCode] };
  return undefined;
}

/** Elevator service modes (GB/T 24476 data item). */
export const SERVICE_MODES = {
  0: { zh: '停止服务', en: 'stopped' },
  1: { zh: '正常运行', en: 'normal' },
  2: { zh: '检修', en: 'inspection' },
  3: { zh: '消防返回', en: 'fire return' },
  4: { zh: '消防员操作', en: 'firefighter' },
  5: { zh: '应急电源运行', en: 'emergency power' },
  6: { zh: '地震运行', en: 'earthquake' },
} as const;
