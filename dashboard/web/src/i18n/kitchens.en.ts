import type { kitchensZhCN } from './kitchens.zh-cn';

export const kitchensEn: typeof kitchensZhCN = {
  kmenu: { kitchens: 'Bright kitchens', wall: 'Video wall', draws: 'Random draws', spotCheck: 'Online spot-check', playback: 'Playback', viewings: 'Viewing audit' },
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
  draws: {
    new: 'New draw', list: 'Draws', id: 'No.', period: 'Period', district: 'District', ownDistrict: 'My own district', everywhere: 'Everywhere',
    by: 'Draw by', share: 'Share', count: 'Number', sharePct: 'Share (%)', weighted: 'Weighted by risk class', weightsHint: 'A 1 · B 2 · C 3 · D 4',
    inspectorsPerCheck: 'Inspectors per check', seed: 'Seed', seedHint: '64 hex digits, may be announced in advance; empty: random', submit: 'Draw',
    periodRequired: 'Enter the period', seedFormat: 'The seed is 64 hex digits (0-9a-f)', created: '{n} kitchen(s) drawn',
    checks: 'Kitchens', createdBy: 'Drawn by', createdAt: 'Drawn at', publishedAt: 'Published at', unpublished: 'not published',
    detail: 'Draw #{id}', algorithm: 'Algorithm', inputsHash: 'Inputs hash', resultHash: 'Result hash', pool: 'Drawn from', poolText: '{k} kitchens, {i} inspectors',
    verify: 'Verify', publish: 'Publish', publishedOk: 'Published', verifyOk: 'Verified: re-run from the recorded inputs and seed, the same result',
    verifyFailed: 'Verification failed {error}', kitchen: 'Kitchen', inspectors: 'Inspectors', task: 'Task',
  },
  spotCheck: {
    title: 'Spot-check #{id}', item: 'Item', result: 'Result', pass: 'Pass', fail: 'Fail', evidence: 'Evidence', pickEvidence: 'Pick snapshots',
    overall: 'Overall', notes: 'Notes', sign: 'Sign', signConfirm: 'Sign this record as "{name}"? It cannot be changed afterwards.', signed: 'Signed',
    signedBy: 'Signed by', recordHash: 'Record hash (SHA-256)', needsEvidence: 'Failed items need snapshot evidence: {items}', notMine: 'You were not drawn for this task: read only',
    status: { assigned: 'to check', recorded: 'recorded', rectifying: 'rectifying', closed: 'closed' },
  },
  playback: {
    title: 'Playback', camera: 'Camera', recorded: '{n} recorded span(s) this day, {m} min in all', speed: 'Speed', download: 'Download clip',
    nothing: 'Nothing recorded this day', rangeInvalid: 'A clip is at most 30 minutes and ends after it starts', downloadFailed: 'Download failed',
    hashMatch: 'Downloaded; the SHA-256 the browser computed matches the server\'s', hashMismatch: 'Downloaded, but its SHA-256 differs from the server\'s', hashServer: 'Downloaded (SHA-256 as the server states it)',
  },
};
