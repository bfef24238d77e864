import { flushPromises, mount } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'

import { ApiError } from '@/api/errors'
import { refusedAt, useOutboxAct } from '@/composables/useOutboxAct'
import { resetDbForTests } from '@/offline/db'
import { useOutbox } from '@/stores/outbox'

const fetchMock = vi.fn<typeof fetch>()
const REQUEST = { label: '一条答复', method: 'PUT' as const, path: '/admin/notices/n1/feedback/f1/answer', body: { answer: '已核实' } }

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function host() {
  const landed = vi.fn()
  let act!: ReturnType<typeof useOutboxAct>
  mount(
    defineComponent({
      setup() {
        act = useOutboxAct('answer', () => 'n1/f1', landed)
        return () => h('div')
      },
    }),
  )
  return { act, landed }
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  setActivePinia(createPinia())
  useOutbox().owner = 'o1'
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('an act sent through the outbox', () => {
  it('given the server accepts it, then the form hears the stored act and nothing waits', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, { feedback_id: 'f1', answer: '已核实' }))
    const { act } = host()
    const saved = vi.fn()
    await act.send(REQUEST, { saved })
    expect(saved).toHaveBeenCalledWith({ feedback_id: 'f1', answer: '已核实' })
    expect(act.error.value).toBeNull()
    expect(act.waiting.value).toBeUndefined()
    expect(act.saving.value).toBe(false)
  })

  it('given the network is down, then the act waits under its kind and key, and the form is not told it was saved', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const { act } = host()
    const saved = vi.fn()
    await act.send(REQUEST, { saved })
    expect(saved).not.toHaveBeenCalled()
    expect([act.waiting.value?.kind, act.waiting.value?.period]).toEqual(['answer', 'n1/f1'])
  })

  it("given the server refuses it, then its words are the form's error and the refusal names the field", async () => {
    fetchMock.mockResolvedValueOnce(
      answer(422, { code: 'validation_failed', message: '答复请删减至 2000 字以内', details: [{ loc: ['body', 'answer'], msg: '过长', type: 'too_long' }] }),
    )
    const { act } = host()
    const refused = vi.fn()
    await act.send(REQUEST, { saved: vi.fn(), refused })
    expect(act.error.value).toBe('答复请删减至 2000 字以内')
    const err = refused.mock.calls[0]?.[0] as ApiError
    expect(refusedAt(err, 'answer')).toBe(true)
    expect(refusedAt(err, 'comment')).toBe(false)
    expect(act.waiting.value).toBeUndefined()
  })

  it('given a waiting act is discarded, then it is gone and the form reads the stored state again', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const { act, landed } = host()
    await act.send(REQUEST, { saved: vi.fn() })
    expect(act.waiting.value).toBeDefined()
    await act.discard()
    await flushPromises()
    expect(act.waiting.value).toBeUndefined()
    expect(landed).toHaveBeenCalled()
  })
})
