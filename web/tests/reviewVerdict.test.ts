import { flushPromises, mount } from '@vue/test-utils'
import { IDBFactory } from 'fake-indexeddb'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { Me, ReviewOut } from '@/api/types'
import ReviewVerdictForm from '@/components/ReviewVerdictForm.vue'
import { resetDbForTests } from '@/offline/db'
import { loadDraft, saveDraft } from '@/offline/drafts'
import { useOutbox } from '@/stores/outbox'
import { useSession } from '@/stores/session'

const OPEN: ReviewOut = {
  assignment_id: '2026-11-30#c1',
  week_start: '2026-11-30',
  week_end: '2026-12-06',
  due: '2026-12-13',
  cadre_id: 'c1',
  cadre_name: '张三',
  unit_id: 'u1',
  reviewer_id: 'h1',
  status: 'open',
  verdict: null,
  verdict_text: null,
  comment: null,
  reviewed_at: null,
  late: false,
  overdue_marked_at: null,
}

const fetchMock = vi.fn<typeof fetch>()

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  resetDbForTests()
  setActivePinia(createPinia())
  useSession().me = { cadre_id: 'h1', name: '刘主任', unit_id: 'u1', title: '主任', roles: ['unit_head'], today: '2026-12-09', working_day: true, on_leave: false, owes: [], contact: {}, calendar: { years: [], provisional: false, note: null } } as Me
  useOutbox().owner = 'h1'
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.replaceChildren()
})

async function mounted(review: ReviewOut = OPEN) {
  const wrapper = mount(ReviewVerdictForm, { props: { review }, attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-test="verdict-adequate"], [data-test="verdict-result"]').exists()).toBe(true)
  })
  return wrapper
}

describe('the verdict on a member\'s week', () => {
  it('given no verdict chosen, when the keys choose one, then the comment box opens with the cursor in it and a 2000-character counter', async () => {
    const wrapper = await mounted()
    expect(wrapper.find('[data-test="verdict-comment"]').exists()).toBe(false)

    await (wrapper.vm as unknown as { choose: (v: string) => Promise<void> }).choose('perfunctory')
    await flushPromises()

    const area = wrapper.find('[data-test="verdict-comment"] textarea')
    expect(area.exists()).toBe(true)
    expect(document.activeElement).toBe(area.element)
    expect(wrapper.find('[data-test="verdict-comment"]').text()).toContain('0/2000')
    expect(wrapper.find('[data-test="verdict-perfunctory"]').attributes('aria-checked')).toBe('true')
  })

  it('given a verdict without a comment, when submitted, then nothing is sent and the reviewer is told to write one', async () => {
    const wrapper = await mounted()
    await wrapper.find('[data-test="verdict-adequate"]').trigger('click')
    await wrapper.find('[data-test="verdict-comment"] textarea').setValue('   ')

    await wrapper.find('[data-test="submit-verdict"]').trigger('click')
    await flushPromises()

    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('请填写审阅意见')
  })

  it('given a verdict and a comment, when submitted, then one PUT carries them with an Idempotency-Key and the verdict is shown', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, { ...OPEN, status: 'done', verdict: 'adequate', verdict_text: '合格', comment: '记录具体。', reviewed_at: '2026-12-09T10:00:00+08:00', cases: [] }))
    const wrapper = await mounted()
    await wrapper.find('[data-test="verdict-adequate"]').trigger('click')
    await wrapper.find('[data-test="verdict-comment"] textarea').setValue('记录具体。\n第二行')

    await wrapper.find('[data-test="submit-verdict"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.emitted('done')).toBeTruthy())

    expect(fetchMock).toHaveBeenCalledTimes(1)
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/reviews/2026-11-30/c1')
    expect(init.method).toBe('PUT')
    expect(JSON.parse(init.body as string)).toEqual({ verdict: 'adequate', comment: '记录具体。\n第二行' })
    expect((init.headers as Record<string, string>)['Idempotency-Key']).toBeTruthy()
  })

  it('given the network is down, when submitted, then the verdict waits on this device under kind review and period week|cadre, and says so', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const wrapper = await mounted()
    await wrapper.find('[data-test="verdict-perfunctory"]').trigger('click')
    await wrapper.find('[data-test="verdict-comment"] textarea').setValue('内容空泛。')

    await wrapper.find('[data-test="submit-verdict"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.text()).toContain('已保存在本机，联网后自动提交'))

    const waiting = useOutbox().items
    expect(waiting.map((i) => [i.kind, i.period, i.path])).toEqual([['review', '2026-11-30|c1', '/reviews/2026-11-30/c1']])
    expect(wrapper.emitted('done')).toBeFalsy()
    expect(wrapper.find('[data-test="submit-verdict"]').exists()).toBe(false)
  })

  it('given the server refuses (a verdict already given), when submitted, then its message is shown, the text is kept and the week is fetched again', async () => {
    fetchMock.mockResolvedValueOnce(answer(409, { code: 'already_reviewed', message: '该周日志已于 2026-12-08 提交审阅结论（合格），结论只能提交一次' }))
    const wrapper = await mounted()
    await wrapper.find('[data-test="verdict-adequate"]').trigger('click')
    await wrapper.find('[data-test="verdict-comment"] textarea').setValue('很好')

    await wrapper.find('[data-test="submit-verdict"]').trigger('click')
    await vi.waitFor(() => expect(wrapper.find('[data-test="verdict-error"]').exists()).toBe(true))

    expect(wrapper.find('[data-test="verdict-error"]').text()).toContain('结论只能提交一次')
    expect((wrapper.find('[data-test="verdict-comment"] textarea').element as HTMLTextAreaElement).value).toBe('很好')
    expect(wrapper.emitted('reload')).toBeTruthy()
    expect(useOutbox().items).toEqual([])
  })

  it('given a draft from before, when the week is opened again, then the verdict and comment are restored', async () => {
    await saveDraft('h1', 'review', '2026-11-30|c1', { verdict: 'perfunctory', comment: '上次写到一半' })

    const wrapper = mount(ReviewVerdictForm, { props: { review: OPEN }, attachTo: document.body })
    // IndexedDB answers when it answers (a loaded machine is slow): wait for the restored text itself.
    await vi.waitFor(
      async () => {
        await flushPromises()
        const comment = wrapper.find('[data-test="verdict-comment"] textarea')
        expect(comment.exists() && (comment.element as HTMLTextAreaElement).value).toBe('上次写到一半')
      },
      { timeout: 5000 },
    )

    expect(wrapper.find('[data-test="verdict-perfunctory"]').attributes('aria-checked')).toBe('true')
  })

  it('given a comment being written, when the screen is left, then the draft is kept for this reviewer and week', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const wrapper = await mounted()
      await wrapper.find('[data-test="verdict-adequate"]').trigger('click')
      await wrapper.find('[data-test="verdict-comment"] textarea').setValue('写到一半')
      vi.advanceTimersByTime(500)
    } finally {
      vi.useRealTimers()
    }

    await vi.waitFor(async () => expect((await loadDraft('h1', 'review', '2026-11-30|c1'))?.body).toEqual({ verdict: 'adequate', comment: '写到一半' }))
  })

  it('given a week already reviewed, when shown, then the verdict and comment are read-only: no choices, no submit', async () => {
    const wrapper = await mounted({ ...OPEN, status: 'done', verdict: 'perfunctory', verdict_text: '敷衍应付', comment: '内容重复较多。', reviewed_at: '2026-12-08T10:00:00+08:00', late: true })

    expect(wrapper.find('[data-test="verdict-result"]').text()).toContain('敷衍应付')
    expect(wrapper.find('[data-test="verdict-result"]').text()).toContain('内容重复较多。')
    expect(wrapper.find('[data-test="verdict-result"]').text()).toContain('逾期后提交')
    expect(wrapper.find('[data-test="verdict-adequate"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="submit-verdict"]').exists()).toBe(false)
  })
})
