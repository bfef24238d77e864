import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { api, useTokens } from '@/api/client'
import { ApiError } from '@/api/errors'
import { saveFile } from '@/util/saveFile'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
let sent: { url: string; headers: Record<string, string> }[] = []

function serve(response: () => Response): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      sent.push({ url, headers: init.headers as Record<string, string> })
      return response()
    }),
  )
}

beforeEach(() => {
  sent = []
  useTokens({ token: async () => 'token-1', renew: async () => 'token-2' })
})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
  useTokens({ token: async () => null, renew: async () => null })
})

describe('api.download: a file the API sends only with the bearer token', () => {
  it('given a sheet, then its bytes come back as a Blob named as Content-Disposition says', async () => {
    serve(() => new Response(new Uint8Array([80, 75, 3, 4]), { status: 200, headers: { 'Content-Type': XLSX, 'Content-Disposition': 'attachment; filename="evaluation-jyj-2026-Q3.xlsx"' } }))

    const file = await api.download('/evaluations/2026-Q3/units/jyj/sheet')

    expect(file.filename).toBe('evaluation-jyj-2026-Q3.xlsx')
    expect(file.blob.size).toBe(4)
    expect(sent[0]?.url).toBe('/evaluations/2026-Q3/units/jyj/sheet')
    expect(sent[0]?.headers.Authorization).toBe('Bearer token-1')
    expect(sent[0]?.headers.Accept).toBe('*/*')
  })

  it('given query parameters, then they are sent, and without a header the name is the path’s last part', async () => {
    serve(() => new Response('a,b\n', { status: 200 }))
    const file = await api.download('/units/jyj/export', { month: '2026-11', empty: undefined })
    expect(sent[0]?.url).toBe('/units/jyj/export?month=2026-11')
    expect(file.filename).toBe('export')
  })

  it('given an expired token, then it is renewed once and the download retried', async () => {
    let n = 0
    serve(() => (++n === 1 ? new Response('{}', { status: 401 }) : new Response('x', { status: 200 })))
    await api.download('/evaluations/2026-Q3/units/jyj/sheet')
    expect(sent.map((s) => s.headers.Authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it('given a refusal, then it is an ApiError in the server’s words', async () => {
    serve(() => new Response(JSON.stringify({ code: 'forbidden', message: '只有组织部或人社局考核人员可以导出考评表' }), { status: 403 }))
    const refused = await api.download('/evaluations/2026-Q3/units/jyj/sheet').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ApiError)
    expect((refused as ApiError).message).toBe('只有组织部或人社局考核人员可以导出考评表')
  })
})

describe('saveFile: the browser keeps the file under its name', () => {
  it('clicks a temporary download link to an object URL, removes it and lets the URL go later', () => {
    vi.useFakeTimers()
    const created = vi.fn(() => 'blob:local/1')
    const revoked = vi.fn()
    const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL }
    URL.createObjectURL = created
    URL.revokeObjectURL = revoked
    const clicked: { href: string; download: string }[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download })
    })

    saveFile({ blob: new Blob(['x']), filename: 'evaluation-jyj-2026-Q3.xlsx' })

    expect(clicked).toEqual([{ href: 'blob:local/1', download: 'evaluation-jyj-2026-Q3.xlsx' }])
    expect(document.querySelectorAll('a[download]')).toHaveLength(0)
    expect(revoked).not.toHaveBeenCalled()
    vi.advanceTimersByTime(60_000)
    expect(revoked).toHaveBeenCalledWith('blob:local/1')
    click.mockRestore()
    URL.createObjectURL = original.create
    URL.revokeObjectURL = original.revoke
  })
})
