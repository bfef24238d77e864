import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { api, forgetPrefetched, prefetch } from '@/api/client'
import { shanghaiDate } from '@/util/dates'

let calls: string[] = []

beforeEach(() => {
  forgetPrefetched()
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      calls.push(url)
      return new Response(JSON.stringify({ n: calls.length }), { status: 200 })
    }),
  )
})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('a read started ahead of the screen', () => {
  it('is handed to the screen that asks for the same path, without a second request', async () => {
    prefetch('/entries/2026-11-30')
    expect(await api.get('/entries/2026-11-30')).toEqual({ n: 1 })
    expect(calls).toEqual(['/entries/2026-11-30'])
  })

  it('is handed out once: the next read of the path asks the server again', async () => {
    prefetch('/plans/2026-11')
    await api.get('/plans/2026-11')
    expect(await api.get('/plans/2026-11')).toEqual({ n: 2 })
  })

  it('is not used for another path (a wrong guess of the day is never read)', async () => {
    prefetch('/entries/2026-11-30')
    expect(await api.get('/entries/2026-12-01')).toEqual({ n: 2 })
  })

  it('is not used once it is more than ten seconds old', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-11-30T01:00:00Z'))
    prefetch('/entries/2026-11-30')
    vi.setSystemTime(new Date('2026-11-30T01:00:11Z'))
    expect(await api.get('/entries/2026-11-30')).toEqual({ n: 2 })
  })

  it('that fails is the failure the screen gets, and nobody else sees an unhandled rejection', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ code: 'not_found', message: '未找到' }), { status: 404 })))
    prefetch('/entries/2026-11-30')
    await expect(api.get('/entries/2026-11-30')).rejects.toMatchObject({ status: 404, code: 'not_found' })
  })
})

describe("Shanghai's date at an instant", () => {
  it('turns at 16:00 UTC, whatever the phone\'s zone', () => {
    expect(shanghaiDate(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11-30')
    expect(shanghaiDate(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01')
    expect(shanghaiDate(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01')
  })
})
