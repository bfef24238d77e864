import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CONFIG_COPY_KEY, loadConfig, resetConfigForTests } from '@/config'

const SETTINGS = {
  authority: 'http://127.0.0.1:8080/_local',
  client_id: 'worklog-local',
  scope: 'openid',
  redirect_path: '/app/callback',
  post_logout_path: '/app/',
  sign_out_url: null,
  environment: 'local',
}

beforeEach(() => {
  resetConfigForTests()
  window.localStorage.clear()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('the sign-in settings', () => {
  it('Given a visit online, when the app starts offline later, then it starts with the settings of that visit', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(SETTINGS), { status: 200 })))
    await loadConfig()
    resetConfigForTests()
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))

    expect(await loadConfig()).toEqual(SETTINGS)
  })

  it('Given no visit before, when the app starts offline, then it says to connect and reload', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))

    await expect(loadConfig()).rejects.toThrow('无法连接服务器，请联网后刷新重试')
  })

  it('Given a kept copy, when the server answers with an error, then the error shows and the copy is not used', async () => {
    window.localStorage.setItem(CONFIG_COPY_KEY, JSON.stringify(SETTINGS))
    vi.stubGlobal('fetch', vi.fn(async () => new Response('no', { status: 500 })))

    await expect(loadConfig()).rejects.toThrow('无法读取登录配置')
  })
})
