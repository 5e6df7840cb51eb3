import type { kitchensZhCN } from './kitchens.zh-cn';

export const kitchensEn: typeof kitchensZhCN = {
  kmenu: { kitchens: 'Bright kitchens', wall: 'Video wall', viewings: 'Viewing audit' },
  wall: {
    tree: 'Kitchens', tiles: '{n} tiles', rotate: 'Rotate', seconds: 's per round', rotateNeedsCameras: 'Tick the cameras to rotate through first',
    spotCheck: 'Current spot-check (snapshot evidence)', evidenceCount: '{n} snapshot(s) saved', dropHere: 'Click a camera on the left or drop it here',
    unmute: 'Unmute', mute: 'Mute', snapshot: 'Snapshot', snapshotSaved: 'Evidence saved, SHA-256 {sha}…', snapshotFailed: 'Snapshot failed',
    state: { idle: 'Idle', paused: 'Paused', connecting: 'Connecting', live: 'Live', offline: 'Offline', blank: 'Black picture', frozen: 'Frozen', stalled: 'Stalled, reconnecting' },
  },
  viewings: {
    title: 'Viewing audit', user: 'Viewer', camera: 'Camera', kitchen: 'Kitchen', started: 'Started', ended: 'Ended', duration: 'Duration',
    open: 'watching', seconds: '{n} s', minutes: '{m} min {s} s', filterUser: 'Viewer id', filterKitchen: 'Kitchen id',
  },
};
