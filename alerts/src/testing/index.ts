export { startFakeAliyun, type FakeAliyun } from './fake-aliyun.js';
export { startFakeTwilio, type FakeTwilio } from './fake-twilio.js';
export type { FakeFailure, ReceivedSms } from './fake-common.js';
