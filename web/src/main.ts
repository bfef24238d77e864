import { createPinia } from 'pinia'
import { setToastDefaultOptions, type ToastOptions } from 'vant'
import { createApp } from 'vue'
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'

import App from './App.vue'
import { setUpAuth } from './auth/session'
import { loadConfig } from './config'
import { router } from './router'
import './styles.css'

// Vant draws every toast (已保存, 已保存在本机…) as a role="dialog" with no name: a screen reader
// meets an empty dialog, and axe counts it a serious fault. A toast is a status message.
setToastDefaultOptions({ role: 'status', 'aria-live': 'polite' } as Partial<ToastOptions>)

async function start(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement
  try {
    setUpAuth(await loadConfig())
  } catch (err) {
    root.textContent = err instanceof Error ? err.message : '应用无法启动，请稍后刷新重试'
    return
  }
  createApp(App).use(createPinia()).use(router).mount(root)
}

void start()
