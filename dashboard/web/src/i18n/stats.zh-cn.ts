/** 统计分析 and 维保检验日历 (issue #16). stats.en.ts has the same keys. */
export const statsZhCN = {
  stats: {
    menu: '统计分析', period: '统计时段', groupBy: '分组', group: { district: '辖区 / 网格', unit: '使用单位', company: '维保单位' },
    last7: '近 7 天', last30: '近 30 天', last90: '近 90 天', thisMonth: '本月', lastMonth: '上月', district: '辖区 / 网格', unspecified: '（未指定）', total: '合计',
    kpi: {
      response3m: '困人 3 分钟响应率', arrival30m: '困人 30 分钟到场率', medianAck: '确认用时中位数', closure: '整改闭环率', trapped: '困人报警 {n} 起',
      rectified: '已整改 {n} 起', alarms: '报警总数', acked: '已确认报警', online: '设备在线率', onlineOf: '在线 {online} / {total}',
      overdue: '维保超期', expiring: '检验 30 天内到期', expired: '检验已过期', devices: '台',
    },
    chart: { perDay: '每日报警（按类型）', perDaySeverity: '每日报警（按级别）', worst: '重复报警最多的 10 台设备', sms: '短信发送（按通道）', byType: '按类型', bySeverity: '按级别' },
    sms: { sent: '已发送', delivered: '已送达', failed: '失败' },
    col: { alarms: '报警数', medianAck: '确认用时中位数', trapped: '困人', response: '3分钟响应率', arrival: '30分钟到场率', rectified: '已整改', closure: '闭环率', medianRectify: '整改用时中位数' },
    table: '分组统计', empty: '该时段没有报警', minutes: '{m} 分 {s} 秒', hours: '{h} 小时 {m} 分',
  },
  reports: {
    menu: '监管周报', title: '监管周报', file: '监管周报', week: '周次（周一至周日）', district: '辖区', created: '生成时间', size: '大小', download: '下载',
    hint: '每周自动生成上一周（周一至周日）各辖区的报警统计（Excel），辖区牵头监管人员同时收到短信摘要。',
    none: '还没有周报：第一份将在下一周开始时生成', downloadFailed: '下载失败，请稍后重试',
    missing: '短信中的周报（{district} {week}）不存在或不在您的管辖范围内',
  },
  calendar: {
    menu: '维保检验日历', maintenanceDue: '维保到期', inspectionDue: '检验到期', overdue: '已超期', t30: '30 天内', t7: '7 天内',
    today: '今天', prev: '上月', next: '下月', legend: '图例', count: '{n} 台', none: '本月没有到期事项', device: '设备', unit: '使用单位', due: '到期日', kind: '事项',
    overdueList: '已超期（{n}）', dayList: '{day} 到期', clickDay: '点击日期查看到期设备', lastDone: '上次维保 {d}',
  },
};
