export const DEVICE_KINDS = ['elevator', 'boiler'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
