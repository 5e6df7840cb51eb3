import { createPinia } from 'pinia';
import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { i18n } from './i18n';
import { elementPlus } from './plugins/element';
import { router } from './router';
import './styles/theme.css';
import './styles/app.css';

createApp(App).use(createPinia()).use(i18n).use(elementPlus).use(router).mount('#app');
