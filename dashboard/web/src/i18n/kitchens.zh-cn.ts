/** 明厨亮灶 (video wall, draws, spot-checks, viewing audit): kitchens.en.ts has the same keys. */
export const kitchensZhCN = {
  kmenu: { kitchens: '明厨亮灶', wall: '视频巡查', viewings: '观看记录' },
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
};
