import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { NotificationList, NotificationOut } from '@/api/types'
import { useInbox } from '@/stores/inbox'
import Inbox from '@/views/Inbox.vue'

const fetchMock = vi.fn<typeof fetch>()

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function item(day: string, read = false): NotificationOut {
  return {
    id: `${day}T08:30:00.000+08:00#morning-${day}`,
    at: `${day}T08:30:00.000+08:00`,
    title: `${day} 提醒：1 项待办`,
    lines: [{ notice_id: `n-${day}`, kind: 'entry_missing', title: `${day} 的工作日志尚未填写`, due: day, last_day: '2026-12-08', link: `/today?date=${day}` }],
    urgent: false,
    read,
    channel: null,
    status: 'no_channel',
  }
}

const LIST: NotificationList = { items: [item('2026-11-23'), item('2026-11-20')], unread: 2, next: null }

function calls(method: string): [string, RequestInit | undefined][] {
  return fetchMock.mock.calls.filter(([, init]) => (init?.method ?? 'GET') === method).map(([u, init]) => [String(u), init])
}

async function mounted() {
  const wrapper = mount(Inbox, { global: { stubs: { RouterLink: RouterLinkStub } }, attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[aria-busy="true"]').exists()).toBe(false)
  })
  return wrapper
}

beforeEach(() => {
  setActivePinia(createPinia())
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.replaceChildren()
})

describe('the inbox screen', () => {
  it('lists the items as the server orders them, unread said in words, each line with its last day and link', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, LIST))
    const wrapper = await mounted()
    expect(wrapper.find('[data-test="inbox-item-0"] .title').text()).toContain('2026-11-23')
    expect(wrapper.find('[data-test="inbox-state-0"]').text()).toBe('未读')
    expect(wrapper.find('[data-test="unread-summary"]').text()).toBe('2 条未读')
    expect(wrapper.find('[data-test="inbox-item-0"]').text()).toContain('最迟 2026年12月8日 星期二')
    expect(wrapper.findAllComponents(RouterLinkStub).map((l) => l.props('to'))).toContain('/today?date=2026-11-23')
    expect(useInbox().unread).toBe(2)
  })

  it('marks an item read with one request when it is opened, and the badge follows the answer', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, LIST)).mockResolvedValueOnce(answer(200, { marked: 1, unread: 1 }))
    const wrapper = await mounted()
    await wrapper.find('[data-test="inbox-item-0"]').trigger('click')
    await wrapper.find('[data-test="inbox-item-0"]').trigger('click') // a second tap sends nothing more
    await flushPromises()
    const posts = calls('POST')
    expect(posts).toHaveLength(1)
    expect(posts[0]?.[0]).toBe('/me/notifications/read')
    expect(JSON.parse(String(posts[0]?.[1]?.body))).toEqual({ ids: [LIST.items[0]!.id], all: false })
    expect(wrapper.find('[data-test="inbox-state-0"]').text()).toBe('已读')
    expect(wrapper.find('[data-test="inbox-state-1"]').text()).toBe('未读')
    expect(useInbox().unread).toBe(1)
  })

  it('marks everything read with 全部已读', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, LIST)).mockResolvedValueOnce(answer(200, { marked: 2, unread: 0 }))
    const wrapper = await mounted()
    await wrapper.find('[data-test="mark-all"]').trigger('click')
    await flushPromises()
    expect(JSON.parse(String(calls('POST')[0]?.[1]?.body))).toEqual({ all: true })
    expect(wrapper.findAll('[data-test^="inbox-state-"]').map((s) => s.text())).toEqual(['已读', '已读'])
    expect(wrapper.find('[data-test="unread-summary"]').text()).toBe('没有未读消息')
  })

  it('puts an item back to unread when marking is refused', async () => {
    fetchMock
      .mockResolvedValueOnce(answer(200, LIST))
      .mockResolvedValueOnce(answer(422, { code: 'validation_error', message: '请求内容校验失败' }))
    const wrapper = await mounted()
    await wrapper.find('[data-test="mark-read-1"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-test="inbox-state-1"]').text()).toBe('未读')
  })

  it('says what to expect when there is nothing yet', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, { items: [], unread: 0, next: null }))
    const wrapper = await mounted()
    expect(wrapper.text()).toContain('暂无消息')
  })

  it('shows the server’s words and a retry when the list cannot be read', async () => {
    fetchMock.mockResolvedValueOnce(answer(422, { code: 'validation_error', message: '分页游标无效，请从第一页重新查看消息' }))
    const wrapper = await mounted()
    expect(wrapper.find('[role="alert"]').text()).toContain('分页游标无效')
    fetchMock.mockResolvedValueOnce(answer(200, LIST))
    await wrapper.find('[role="alert"] button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-test^="inbox-item-"]')).toHaveLength(2)
  })
})
