export { createBroker, type BrokerDeps, type BrokerService, type BrokerServiceConfig } from './broker.js';
export { memoryDeviceSource, type DeviceAuthSource } from './policy/device-auth-source.js';
export { SERVICE_ACCOUNTS, servicePassword, serviceUsername, type ServiceAccount } from './policy/service-accounts.js';
export { ROLE_RULES, filterCovers, topicMatches } from './policy/acl.js';
export { APPEND_SCRIPT as UPLINK_APPEND_SCRIPT, appendScriptArgs as uplinkAppendArgs } from './uplink/append-script.js';
