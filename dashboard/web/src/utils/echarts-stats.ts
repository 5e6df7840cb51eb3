import { BarChart } from 'echarts/charts';
import { echarts } from './echarts';

/** The statistics view also draws bars (registered here, once, beside the device file's line and gauge charts). */
echarts.use([BarChart]);

export { echarts };
