import type { DemoDistrict, DemoUser } from '@tianwang/core/demo';
import type { AllInOneInfo } from './all-in-one.js';

const ROLE_LABEL: Record<string, string> = {
  admin: '管理员 admin: everything, registry',
  inspector: '监管人员 inspector: the whole district',
  unit: '使用单位 unit: its own equipment',
  maintenance: '维保单位 maintenance: the elevators it maintains',
};

/** The first demo user of each role, in the order the banner prints them. */
export function demoLogins(demo: DemoDistrict): DemoUser[] {
  return ['admin', 'inspector', 'unit', 'maintenance'].flatMap((role) => demo.users.find((u) => u.role === role) ?? []);
}

/** What a person sees once the platform is up: where to go, how to log in, what to try. zh-CN first, English beside. */
export function banner(info: AllInOneInfo): string {
  const lines = [
    '',
    '天网 tianwang 已启动 / is running (all-in-one)',
    '',
    `  仪表盘 Dashboard        ${info.dashboardUrl}`,
    `  MQTT 接入 Broker        ${info.mqttUrl}`,
    `  视频 Streams            ${info.streamsUrl}   (RTMP ingest ${info.rtmpUrl}/live/<camera>?token=<secret>)`,
  ];
  if (info.loginsFile) lines.push(`  演示账号 Demo logins    ${info.loginsFile}`);
  if (info.demo) {
    // one login per role: each lands on the board (实时监测) with what that role may see
    for (const u of demoLogins(info.demo)) lines.push(`                          ${`${u.username} / ${u.password}`.padEnd(32)} ${ROLE_LABEL[u.role] ?? u.role}`);
    lines.push(
      '',
      `  模拟器 Simulator        ${info.simulatedDevices} devices reporting every 10 s, ${info.simulatedCameras} kitchen cameras streaming`,
    );
  }
  if (info.control && info.demo) {
    const elevator = info.demo.devices.find((d) => d.kind === 'elevator');
    const boiler = info.demo.devices.find((d) => d.kind === 'boiler');
    const auth = `-H 'authorization: Bearer ${info.control.token}'`;
    lines.push(
      '',
      '试一试 Try it:',
      `  1. 电梯困人 Trap passengers in ${elevator?.id} (the safety officer gets an SMS within seconds, printed below):`,
      `     curl -s ${auth} -H 'content-type: application/json' -d '{"device":"${elevator?.id}","fault":"trapped","seconds":60}' ${info.control.url}/faults`,
      '  2. 打开短信里的链接确认 Open the link in the SMS to acknowledge, then report the fix.',
      `  3. 锅炉缺水 Boiler low water on ${boiler?.id}:`,
      `     curl -s ${auth} -H 'content-type: application/json' -d '{"device":"${boiler?.id}","fault":"low_water","seconds":120}' ${info.control.url}/faults`,
      `  4. 设备列表 Simulated devices:  curl -s ${auth} ${info.control.url}/devices | head -c 600`,
      `  5. 指标 Metrics:                curl -s ${info.dashboardUrl}/metrics | grep ^tw_ | head`,
    );
  }
  lines.push('', '按 Ctrl-C 停止 / Ctrl-C stops everything.', '');
  return lines.join('\n');
}
