/** 数据大屏 messages, merged into the catalogue in index.ts. */
export const screenZhCN = {
  screen: {
    title: '数据大屏', heading: '{name} · 特种设备远程监管', asOf: '数据时间', devices: '监管设备', online: '在线', onlineRate: '在线率', inAlarm: '报警中设备',
    alarmsToday: '今日报警', activeAlarms: '未关闭报警', openAlarms: '待确认', criticalActive: '紧急报警',
    trapped: '困人救援（近 {days} 天）', trappedCount: '困人报警', response3m: '3分钟响应率', arrival30m: '30分钟到场率', toSite: '平均到场', toRelease: '平均解困',
    ticker: '实时报警', ranking: '网格报警排名（近30天）', map: '辖区网格示意图', camera: '明厨亮灶巡查', noCamera: '辖区内暂无摄像头', noAlarms: '暂无报警',
    minutes: '{n} 分钟', live: '实时', reconnecting: '重连中', alarms: '报警', devicesShort: '设备',
  },
};
