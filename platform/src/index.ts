export { createAllInOne, type AllInOne, type AllInOneInfo, type AllInOneOptions } from './all-in-one.js';
export { banner, demoLogins } from './banner.js';
export { demoCameraSpecs, demoDeviceSpecs } from './demo-fleet.js';
export { writeDemoLogins } from './demo-logins.js';
