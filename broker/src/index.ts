export { createBroker, type BrokerDeps, type BrokerService, type BrokerServiceConfig } from './broker.js';
export { memoryDeviceSource, type DeviceAuthSource } from './device-auth-source.js';
export { SERVICE_ACCOUNTS, servicePassword, serviceUsername, type ServiceAccount } from './service-accounts.js';
export { ROLE_RULES, filterCovers, topicMatches } from './acl.js';
export { APPEND_SCRIPT as UPLINK_APPEND_SCRIPT } from './pipeline-writer.js';
