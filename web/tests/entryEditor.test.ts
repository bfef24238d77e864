import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '@/api/errors'
import type { EntryOut, PlanOut, SavedEntry } from '@/api/types'

vi.mock('@/api/client', () => ({ api: { get: vi.fn(), put: vi.fn(), post: vi.fn() }, request: vi.fn() }))

const { api } = await import('@/api/client')
const { default: EntryEditor } = await import('@/components/EntryEditor.vue')
const { useOutbox } = await import('@/stores/outbox')

const TODAY = '2026-12-02'
const PLAN: PlanOut = {
  month: '2026-12',
  items: [
    { id: 'p1', content: '完成年度考核材料', target: null },
    { id: 'p2', content: '走访辖区重点企业', target: '不少于10家' },
  ],
  revision: 1,
  late: false,
  amended: false,
  first_saved_at: '2026-12-01T09:00:00+08:00',
  saved_at: '2026-12-01T09:00:00+08:00',
}
const SAVED: SavedEntry = { date: TODAY, revision: 1, hash: 'h', previous_hash: null, late: false, saved_at: `${TODAY}T18:00:00+08:00` }

function serve(entry: EntryOut | null): void {
  vi.mocked(api.get).mockImplementation(async (path: string) => {
    if (path === `/entries/${TODAY}`) {
      if (entry) return entry
      throw new ApiError(404, 'entry_not_found', '该日期没有工作日志')
    }
    if (path === '/plans/2026-12') return PLAN
    throw new ApiError(404, 'not_found', '未找到')
  })
}

let pinia: Pinia

function mountEditor() {
  return mount(EntryEditor, {
    props: { date: TODAY, today: TODAY, cadreId: 'c0001' },
    global: { plugins: [pinia], stubs: { RouterLink: RouterLinkStub } },
    attachTo: document.body,
  })
}

/** Mounted and loaded (the draft store answers after a few macrotasks). */
async function loaded() {
  const wrapper = mountEditor()
  await vi.waitFor(() => expect(wrapper.find('[data-test="save-entry"]').exists()).toBe(true))
  return wrapper
}

/** Long enough for a save to have reached the outbox (it writes the draft to IndexedDB first). */
async function settle(): Promise<void> {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 100))
}

function outboxSpy() {
  const outbox = useOutbox()
  outbox.owner = 'c0001'
  return vi.spyOn(outbox, 'submit').mockResolvedValue({ status: 'saved', response: SAVED })
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
})

afterEach(() => {
  vi.restoreAllMocks()
  document.body.replaceChildren()
})

describe('the entry editor saves only from its save button', () => {
  it('given a written item, when Enter is pressed while an input method is composing (or at all) in its text, then nothing is saved; the save button saves', async () => {
    serve(null)
    const submit = outboxSpy()
    const wrapper = await loaded()

    const content = wrapper.get('[data-test="item-content-0"]')
    await content.setValue('走访辖区企业，了解用工需求')
    await wrapper.get('[data-test="item-status-0-done"]').trigger('click')
    await content.trigger('keydown', { key: 'Enter', keyCode: 229, isComposing: true })
    await content.trigger('keyup', { key: 'Enter', keyCode: 13, isComposing: true })
    await content.trigger('keydown', { key: 'Enter', keyCode: 13 })
    await settle()
    expect(submit).not.toHaveBeenCalled()

    await wrapper.get('[data-test="save-entry"]').trigger('click')
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1))
    expect(submit.mock.calls[0]?.[0]).toMatchObject({
      kind: 'entry',
      period: TODAY,
      method: 'PUT',
      path: `/entries/${TODAY}`,
      label: '2026年12月2日 星期三 工作日志',
      body: { items: [{ content: '走访辖区企业，了解用工需求', status: 'done', plan_item_id: null, internal: false }], mistakes: null, reflections: null },
    })
    wrapper.unmount()
  })
})

describe('a plan item can be linked from the picker', () => {
  it("given this month's plan, when the cadre picks one of its items, then the item shows it and the save sends its id", async () => {
    serve(null)
    const submit = outboxSpy()
    const wrapper = await loaded()

    await wrapper.get('[data-test="item-content-0"]').setValue('走访三家企业')
    await wrapper.get('[data-test="item-status-0-in_progress"]').trigger('click')
    await wrapper.get('[data-test="item-plan-0"]').trigger('click')
    await flushPromises()
    await wrapper.get('[data-test="plan-option-p2"]').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('走访辖区重点企业')

    await wrapper.get('[data-test="save-entry"]').trigger('click')
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1))
    expect(submit.mock.calls[0]?.[0].body).toMatchObject({ items: [{ plan_item_id: 'p2', status: 'in_progress' }] })
    wrapper.unmount()
  })
})

describe('a saved entry is revised with a reason', () => {
  it('given a saved entry, when the cadre saves again, then the reason is asked first and sent with the save', async () => {
    serve({
      date: TODAY,
      items: [{ content: '参加例会', status: 'done', plan_item_id: null, internal: false }],
      mistakes: null,
      reflections: null,
      revision: 1,
      late: false,
      amended: false,
      first_saved_at: `${TODAY}T12:00:00+08:00`,
      saved_at: `${TODAY}T12:00:00+08:00`,
    })
    const submit = outboxSpy()
    const wrapper = await loaded()

    await wrapper.get('[data-test="item-content-0"]').setValue('参加例会，汇报考核材料进度')
    await wrapper.get('[data-test="save-entry"]').trigger('click')
    await settle()
    expect(submit).not.toHaveBeenCalled()

    await wrapper.get('[data-test="reason-confirm"]').trigger('click')
    await settle()
    expect(submit).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('请填写修改原因')

    await wrapper.get('[data-test="revision-reason"]').setValue('补充会上汇报的内容')
    await wrapper.get('[data-test="reason-confirm"]').trigger('click')
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1))
    expect(submit.mock.calls[0]?.[0].body).toMatchObject({ reason: '补充会上汇报的内容' })
    wrapper.unmount()
  })
})
