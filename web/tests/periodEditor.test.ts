import { flushPromises, mount } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'

import type { Me } from '@/api/types'
import { usePeriodEditor } from '@/composables/usePeriodEditor'
import { resetDbForTests } from '@/offline/db'
import { saveDraft } from '@/offline/drafts'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'

interface Doc {
  text: string
  revision: number
}
interface Form {
  text: string
}

const fetchMock = vi.fn<typeof fetch>()

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function host(start = '2026-12') {
  const period = ref<string | null>(start)
  let editor!: ReturnType<typeof usePeriodEditor<Doc, Form, { revision: number; late: boolean }>>
  mount(
    defineComponent({
      setup() {
        editor = usePeriodEditor<Doc, Form, { revision: number; late: boolean }>({
          kind: 'plan',
          noun: '计划',
          period: () => period.value,
          path: (p) => `/plans/${p}`,
          label: (p) => `${p} 月度计划`,
          fromOut: (d) => ({ text: d?.text ?? '' }),
          changed: (f, s) => f.text !== s.text,
          check: (f) => (f.text.trim() ? [] : [{ field: 'text', message: '请填写' }]),
          body: (f, revising) => (revising ? { text: f.text, reason: '补充' } : { text: f.text }),
          focus: () => undefined,
        })
        return () => h('div')
      },
    }),
  )
  return { editor, period }
}

function requested(): string[] {
  return fetchMock.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${new URL(String(url), 'http://x').pathname}`)
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  setActivePinia(createPinia())
  useSession().me = { cadre_id: 'c1', name: '张三', unit_id: 'u1', title: '科员', roles: ['cadre'], today: '2026-12-02', working_day: true, on_leave: false, owes: [], contact: {}, calendar: { years: [], provisional: false, note: null } } as Me
  useOutbox().owner = 'c1'
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe("a period's document in its editor", () => {
  it('given none is stored yet, then the form starts empty, the first save is not a revision and sends one PUT', async () => {
    fetchMock.mockImplementation(async () => answer(404, { code: 'not_found', message: '尚未提交' }))
    const { editor } = host()
    await vi.waitFor(() => expect(editor.loading.value).toBe(false))
    expect(editor.current.value).toBeNull()
    expect(editor.revisions.value).toEqual([])
    expect(editor.revising.value).toBe(false)

    fetchMock.mockReset()
    fetchMock.mockResolvedValueOnce(answer(200, { revision: 1, late: false }))
    fetchMock.mockImplementation(async () => answer(200, { text: '调研', revision: 1, revisions: [] }))
    editor.form.value.text = '调研'
    await editor.save()
    const put = fetchMock.mock.calls.find(([, init]) => init?.method === 'PUT')
    expect(JSON.parse(put?.[1]?.body as string)).toEqual({ text: '调研' })
    expect(editor.done.value).toContain('第 1 版')
  })

  it('given a stored version, then the form starts from it and a save is a revision with its reason', async () => {
    fetchMock.mockImplementation(async (url) =>
      String(url).endsWith('/revisions') ? answer(200, { revisions: [{ revision: 1 }] }) : answer(200, { text: '调研', revision: 1 }),
    )
    const { editor } = host()
    await vi.waitFor(() => expect(editor.loading.value).toBe(false))
    expect(editor.form.value).toEqual({ text: '调研' })
    expect(editor.revisions.value).toHaveLength(1)
    expect(editor.revising.value).toBe(true)
    expect(requested()).toEqual(['GET /plans/2026-12', 'GET /plans/2026-12/revisions'])
  })

  it('given a draft kept on this device, then the form starts from the draft and says when it was kept', async () => {
    await saveDraft('c1', 'plan', '2026-12', { text: '草稿中的计划' })
    fetchMock.mockImplementation(async () => answer(404, { code: 'not_found', message: '尚未提交' }))
    const { editor } = host()
    await vi.waitFor(() => expect(editor.restoredAt.value).not.toBeNull())
    expect(editor.form.value).toEqual({ text: '草稿中的计划' })
  })

  it('given the form is not fit to send, then nothing is sent and the field is marked', async () => {
    fetchMock.mockImplementation(async () => answer(404, { code: 'not_found', message: '尚未提交' }))
    const { editor } = host()
    await vi.waitFor(() => expect(editor.loading.value).toBe(false))
    fetchMock.mockClear()
    await editor.save()
    expect(fetchMock).not.toHaveBeenCalled()
    expect(editor.errors.value).toEqual({ text: '请填写' })
  })

  it('given the period changes, then the other period is read', async () => {
    fetchMock.mockImplementation(async () => answer(404, { code: 'not_found', message: '尚未提交' }))
    const { editor, period } = host()
    await vi.waitFor(() => expect(editor.loading.value).toBe(false))
    fetchMock.mockClear()
    period.value = '2027-01'
    await flushPromises()
    await vi.waitFor(() => expect(requested()).toContain('GET /plans/2027-01'))
  })
})
