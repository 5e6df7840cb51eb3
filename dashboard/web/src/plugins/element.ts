import type { App, Component } from 'vue';
import {
  ElAlert, ElAside, ElAutoResizer, ElBadge, ElButton, ElCard, ElCheckbox, ElCol, ElConfigProvider, ElContainer, ElDatePicker,
  ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty,
  ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLoading, ElMain, ElMenu, ElMenuItem, ElOption, ElRadioButton,
  ElRadioGroup, ElResult, ElRow, ElScrollbar, ElSelect, ElSkeleton, ElSubMenu, ElSwitch, ElTable, ElTableColumn, ElTableV2,
  ElTabPane, ElTabs, ElTag, ElTooltip, ElTree, ElTreeSelect, ElUpload,
} from 'element-plus';

/** The Element Plus components the app uses, registered once (the rest stays out of the bundle). */
const components: Component[] = [
  ElAlert, ElAside, ElAutoResizer, ElBadge, ElButton, ElCard, ElCheckbox, ElCol, ElConfigProvider, ElContainer, ElDatePicker,
  ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty,
  ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElMain, ElMenu, ElMenuItem, ElOption, ElRadioButton,
  ElRadioGroup, ElResult, ElRow, ElScrollbar, ElSelect, ElSkeleton, ElSubMenu, ElSwitch, ElTable, ElTableColumn, ElTableV2,
  ElTabPane, ElTabs, ElTag, ElTooltip, ElTree, ElTreeSelect, ElUpload,
];

export const elementPlus = {
  install(app: App) {
    // app.component, not app.use: sub-components (ElRadioButton, ElTableColumn, ElMenuItem …) have a no-op install
    for (const c of components) app.component((c as { name?: string }).name as string, c);
    app.use(ElLoading);
  },
};
