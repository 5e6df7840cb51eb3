/** Word lists for believable, clearly fictitious demo names. */
export const ESTATES = ['幸福', '阳光', '锦绣', '翠湖', '金桥', '绿洲', '东方', '和平', '春晓', '滨江', '紫荆', '龙湖', '海棠', '书香', '明珠', '云杉', '长虹', '新华', '康乐', '望江'];
export const UNIT_KINDS = [
  { suffix: '小区物业服务中心', elevators: [4, 8], boiler: 0.05 },
  { suffix: '商业广场', elevators: [6, 10], boiler: 0.2 },
  { suffix: '人民医院', elevators: [6, 10], boiler: 0.8 },
  { suffix: '实验学校', elevators: [2, 4], boiler: 0.4 },
  { suffix: '大酒店', elevators: [4, 6], boiler: 0.7 },
  { suffix: '食品有限公司', elevators: [1, 2], boiler: 0.9 },
  { suffix: '写字楼管理处', elevators: [6, 10], boiler: 0.1 },
] as const;
export const ROADS = ['人民路', '建设路', '解放路', '中山路', '新华路', '滨河路', '长江路', '黄河路', '学府路', '光明街'];
export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '高', '罗'];
export const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '军', '涛', '明', '超', '霞', '平', '刚', '桂英', '建华', '志强'];
export const MAINTENANCE = ['安达电梯工程', '通力保安电梯服务', '恒信机电维保', '鼎峰电梯技术', '迅捷特种设备维保'];
export const RESTAURANTS = ['老街面馆', '川味小厨', '粤式茶餐厅', '兰州牛肉拉面', '东北饺子馆', '湘菜馆', '江南小馆', '麻辣香锅', '潮汕砂锅粥', '西北菜馆', '沙县小吃', '黄焖鸡米饭', '烧烤大排档', '素食坊', '米线馆'];
export const CANTEENS = ['实验学校食堂', '人民医院职工食堂', '机关食堂', '幼儿园厨房', '养老院食堂'];
export const ELEVATOR_MODELS = ['GeN2-MR', 'KONE MonoSpace', 'Schindler 3300', 'Hitachi HGP', 'Mitsubishi NexWay', 'Canny KLK2'];
export const BOILER_MODELS = ['WNS2-1.25-Q', 'WNS4-1.25-Y(Q)', 'LHS1-0.7-Y', 'WNS1-1.0-Q'];
export const CAMERA_AREAS = [
  { area: 'cooking', zh: '烹饪区' },
  { area: 'cold_dish', zh: '凉菜间' },
  { area: 'raw', zh: '粗加工区' },
  { area: 'dishwashing', zh: '洗消间' },
] as const;
