import { GaugeChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/** ECharts with only what the device file draws (line and gauge charts on canvas): a third of the full build. */
echarts.use([LineChart, GaugeChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, MarkLineComponent, TitleComponent, CanvasRenderer]);

export { echarts };
export type { EChartsCoreOption as ChartOption, ECharts } from 'echarts/core';
