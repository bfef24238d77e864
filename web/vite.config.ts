import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { VitePWA } from 'vite-plugin-pwa'
import { defineConfig } from 'vitest/config'

// The app lives at /app/ on the local runtime and at / on the deployed distribution. One source,
// two builds: APP_BASE=/ builds into dist-root/ for `make deploy`; the default is the local one.
const base = process.env.APP_BASE ?? '/app/'
const outDir = base === '/app/' ? 'dist' : 'dist-root'

export default defineConfig({
  base,
  plugins: [
    vue(),
    // Vant's components and their styles are imported where used, so a screen carries only its own.
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      // registerSW.js is an external file: the CSP allows no inline script.
      injectRegister: 'script',
      registerType: 'autoUpdate',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['icon.svg'],
      manifest: {
        name: '干部工作日志',
        short_name: '工作日志',
        description: '填写工作日志、月度计划和半年总结，审阅所联系干部的日志',
        lang: 'zh-CN',
        start_url: base,
        scope: base,
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#b71c1c',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // The shell only: API answers are never cached by the service worker (they are personal
        // and must be fresh); offline saves go through the app's own queue.
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        navigateFallback: `${base}index.html`,
        navigateFallbackAllowlist: [new RegExp(`^${base.replace(/\//g, '\\/')}`)],
        navigateFallbackDenylist: [/\/config\.json$/],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { outDir, target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    // `npm run dev` proxies the API to a running `make run`.
    proxy: Object.fromEntries(
      ['/me', '/entries', '/plans', '/summaries', '/leaves', '/reviews', '/cadres', '/cases', '/audits',
        '/evaluations', '/admin', '/_local', '/app/config.json'].map((p) => [p, 'http://127.0.0.1:8080']),
    ),
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // Vant's components import their CSS: let Vite, not Node, load them in component tests.
    server: { deps: { inline: ['vant'] } },
  },
})
