/** 明厨亮灶 (video wall, draws, spot-checks, viewing audit): kitchens.en.ts has the same keys. */
export const kitchensZhCN = {
  kmenu: { kitchens: '明厨亮灶', wall: '视频巡查', draws: '双随机抽查', spotCheck: '线上抽检', playback: '录像回放', viewings: '观看记录' },
  wall: {
    tree: '餐饮单位', tiles: '{n} 画面', rotate: '轮巡', seconds: '秒/轮', rotateNeedsCameras: '请先勾选要轮巡的摄像头',
    spotCheck: '当前抽检任务（截图存证）', evidenceCount: '已存证 {n} 张', dropHere: '点击左侧摄像头或拖到此处',
    unmute: '取消静音', mute: '静音', snapshot: '截图存证', snapshotSaved: '已存证，SHA-256 {sha}…', snapshotFailed: '截图失败',
    state: { idle: '空闲', paused: '已暂停', connecting: '连接中', live: '直播', offline: '离线', blank: '黑屏', frozen: '画面冻结', stalled: '卡顿，重连中' },
  },
  viewings: {
    title: '观看记录', user: '观看人', camera: '摄像头', kitchen: '餐饮单位', started: '开始时间', ended: '结束时间', duration: '时长',
    open: '观看中', seconds: '{n} 秒', minutes: '{m} 分 {s} 秒', filterUser: '观看人编号', filterKitchen: '餐饮单位编号',
  },
  draws: {
    new: '新建抽取', list: '抽取记录', id: '编号', period: '期次', district: '辖区', ownDistrict: '本人所在辖区', everywhere: '全部',
    by: '抽取方式', share: '按比例', count: '按户数', sharePct: '比例（%）', weighted: '按风险等级加权', weightsHint: 'A 1 · B 2 · C 3 · D 4',
    inspectorsPerCheck: '每户检查人员', seed: '随机种子', seedHint: '64 位十六进制，可事先公布；留空则随机生成', submit: '抽 取',
    periodRequired: '请填写期次', seedFormat: '种子须为 64 位十六进制（0-9a-f）', created: '已抽取 {n} 户',
    checks: '抽取户数', createdBy: '抽取人', createdAt: '抽取时间', publishedAt: '公示时间', unpublished: '未公示',
    detail: '抽取 #{id}', algorithm: '算法', inputsHash: '输入哈希', resultHash: '结果哈希', pool: '抽取范围', poolText: '{k} 户餐饮单位，{i} 名检查人员',
    verify: '验证', publish: '公示（一公开）', publishedOk: '已公示', verifyOk: '验证通过：按记录的输入和种子重新抽取，结果一致',
    verifyFailed: '验证未通过 {error}', kitchen: '餐饮单位', inspectors: '检查人员', task: '抽检任务',
  },
  spotCheck: {
    title: '线上抽检 #{id}', item: '检查项目', result: '结果', pass: '合格', fail: '不合格', evidence: '截图证据', pickEvidence: '选择截图',
    overall: '总体结论', notes: '检查意见', sign: '签署', signConfirm: '以“{name}”的名义签署本次检查记录？签署后不可修改。', signed: '已签署',
    signedBy: '签署人', recordHash: '记录哈希（SHA-256）', needsEvidence: '不合格项目须附截图证据：{items}', notMine: '本任务未抽中您，仅可查看',
    status: { assigned: '待检查', recorded: '已记录', rectifying: '待整改', closed: '已办结' },
  },
  playback: {
    title: '录像回放', camera: '选择摄像头', recorded: '当天录像 {n} 段，共 {m} 分钟', speed: '倍速', download: '下载片段',
    nothing: '当天没有录像', rangeInvalid: '片段须在 30 分钟以内，且结束晚于开始', downloadFailed: '下载失败',
    hashMatch: '已下载；浏览器计算的 SHA-256 与服务器一致', hashMismatch: '已下载，但 SHA-256 与服务器不一致', hashServer: '已下载（服务器给出的 SHA-256）',
  },
};
