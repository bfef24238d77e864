import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { VitePWA } from 'vite-plugin-pwa'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

// No third-party origin at all: Vant's icon font names a CDN copy after its inlined one. Drop every
// remote url() from the CSS it ships, and fail the build if any CSS still names another origin.
const REMOTE_URL = /,\s*url\((["']?)(?:https?:)?\/\/[^)]*\)\s*format\([^)]*\)/g
function selfContained(): Plugin {
  return {
    name: 'worklog-self-contained',
    transform(code, id) {
      if (!id.endsWith('.css') || !id.includes('/node_modules/')) return null
      const cleaned = code.replace(REMOTE_URL, '')
      return cleaned === code ? null : cleaned
    },
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'asset' && file.fileName.endsWith('.css')) {
          const css = String(file.source)
          const remote = /url\((["']?)(?:https?:)?\/\//.exec(css)
          if (remote) this.error(`${file.fileName} loads from another origin: ${css.slice(remote.index, remote.index + 80)}`)
        }
      }
    },
  }
}

// The app lives at /app/ on the local runtime and at / on the deployed distribution. One source,
// two builds: APP_BASE=/ builds into dist-root/ for `make deploy`; the default is the local one.
const base = process.env.APP_BASE ?? '/app/'
const outDir = base === '/app/' ? 'dist' : 'dist-root'

export default defineConfig({
  base,
  plugins: [
    vue(),
    selfContained(),
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
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // Component tests render Vant: let Vite transform it (its ES build imports its own CSS).
    server: { deps: { inline: ['vant'] } },
  },
})
