import { afterEach, describe, expect, it, vi } from 'vitest'

import { api, filenameOf } from '@/api/client'
import { ApiError } from '@/api/errors'

afterEach(() => vi.unstubAllGlobals())

describe('a file from the API keeps the name the server gave it', () => {
  it('prefers the RFC 5987 name (Chinese) over the plain one', () => {
    const header = `attachment; filename="worklog-jyj-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('工作日志-区教育局-2026-11.xlsx')}`
    expect(filenameOf(header, 'x')).toBe('工作日志-区教育局-2026-11.xlsx')
  })
  it('falls back to the plain name, then to the fallback', () => {
    expect(filenameOf('attachment; filename="sheet.xlsx"', 'x')).toBe('sheet.xlsx')
    expect(filenameOf("attachment; filename*=UTF-8''%E0%A4%A", 'x')).toBe('x')
    expect(filenameOf(null, '2026-11')).toBe('2026-11')
  })
})

describe('api.download', () => {
  it('returns the bytes with the file name', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(new Uint8Array([80, 75]), {
        status: 200,
        headers: { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent('我的.xlsx')}` },
      })),
    )
    const got = await api.download('/me/export/2026-11')
    expect(got.filename).toBe('我的.xlsx')
    expect(got.blob.size).toBe(2)
  })
  it('throws the server\'s words on a refusal', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ code: 'read_forbidden', message: '您无权导出该单位干部的工作日志' }), {
        status: 403,
        headers: { 'Content-Type': 'application/json' },
      })),
    )
    await expect(api.download('/units/jyj/export/2026-11')).rejects.toEqual(
      new ApiError(403, 'read_forbidden', '您无权导出该单位干部的工作日志'),
    )
  })
})
