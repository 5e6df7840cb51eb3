/** Signed play URLs: the scheme lives in core (the dashboard signs consumers' public URLs with it too). */
export { publicAlias, signPlay, verifyPlay, type Audience, type PlayCheck, type PlayGrant } from '@tianwang/core/crypto';
