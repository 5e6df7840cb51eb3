import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue';
import { echarts, type ChartOption, type ECharts } from '@/utils/echarts';

/**
 * An ECharts instance on `el` that follows `option` (replaced, not merged, so removed series go away) and the
 * element's size; disposed with the component. `group` connects charts (shared tooltip and zoom).
 */
export function useChart(el: Ref<HTMLElement | undefined>, option: Ref<ChartOption | null>, group?: string) {
  const chart = shallowRef<ECharts>();
  let ro: ResizeObserver | undefined;
  onMounted(() => {
    if (!el.value) return;
    const c = echarts.init(el.value, undefined, { renderer: 'canvas' });
    if (group) {
      c.group = group;
      echarts.connect(group);
    }
    chart.value = c;
    if (option.value) c.setOption(option.value, { notMerge: true });
    ro = new ResizeObserver(() => c.resize());
    ro.observe(el.value);
  });
  watch(option, (o) => {
    if (o && chart.value) chart.value.setOption(o, { notMerge: true });
  });
  onBeforeUnmount(() => {
    ro?.disconnect();
    chart.value?.dispose();
  });
  return chart;
}
