export interface CameraSpec { id: string }
export interface CameraFleet { start(): Promise<void>; stop(): Promise<void> }
export function createCameraFleet(): CameraFleet { throw new Error('todo'); }
