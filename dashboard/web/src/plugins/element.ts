// Element Plus on demand: the build (vite.config.ts, unplugin-vue-components) imports each component and its CSS into
// the chunk of the view whose template uses it, so the board's first load carries the board's components only, not
// the date pickers, trees and uploads of other pages. What the template resolver cannot see are the services called
// from script (ElMessage, ElMessageBox, ElNotification): any page may call them, so their styles load with the app.
import 'element-plus/es/components/message/style/css';
import 'element-plus/es/components/message-box/style/css';
import 'element-plus/es/components/notification/style/css';
