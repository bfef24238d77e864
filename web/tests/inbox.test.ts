import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { ChannelState, NotificationOut } from '@/api/types'
import { STALE_MS, useInbox } from '@/stores/inbox'
import { appLink, badgeText, channelNote, deliveryText, lastDayText, markedRead, mutedAfter, orderedChannels, unreadWords } from '@/util/inbox'

function item(id: string, read = false): NotificationOut {
  return { id, at: '2026-11-23T08:30:00.000+08:00', title: '今日提醒', lines: [], urgent: false, read, channel: 'sms', status: 'sent' }
}

const STATES: ChannelState[] = [
  { channel: 'sms', available: true, muted: false, preferred: true },
  { channel: 'email', available: false, muted: false, preferred: false },
  { channel: 'wecom', available: true, muted: true, preferred: false },
  { channel: 'dingtalk', available: false, muted: false, preferred: false },
]

describe('the badge', () => {
  it('shows nothing when all is read, the count otherwise, and 99+ past 99', () => {
    expect([null, undefined, 0, 1, 42, 99, 100].map(badgeText)).toEqual(['', '', '', '1', '42', '99', '99+'])
  })
  it('gives a screen reader words, not a bare number', () => {
    expect(unreadWords(2)).toBe('2 条未读消息')
    expect(unreadWords(0)).toBe('')
  })
})

describe('an inbox item', () => {
  it('says how it reached the person besides the inbox', () => {
    expect(deliveryText({ channel: 'sms', status: 'sent' })).toBe('已同时通过短信发送')
    expect(deliveryText({ channel: null, status: 'no_channel' })).toBe('仅站内消息')
    expect(deliveryText({ channel: 'dingtalk', status: 'retrying' })).toBe('正在通过钉钉发送')
    expect(deliveryText({ channel: 'email', status: 'failed' })).toContain('请以本消息为准')
  })
  it('gives each line its last day as a long date', () => {
    expect(lastDayText({ last_day: '2026-12-08', due: '2026-12-01' })).toBe('最迟 2026年12月8日 星期二')
    expect(lastDayText({ last_day: null, due: null })).toBe('')
  })
  it('follows only the app’s own paths', () => {
    expect(appLink('/today?date=2026-11-20')).toBe('/today?date=2026-11-20')
    expect(appLink('/case/RT-1')).toBe('/case/RT-1')
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil', 'javascript:alert(1)', '', null]) expect(appLink(bad)).toBeNull()
  })
  it('marks only the given unread items read, or all of them', () => {
    const items = [item('a'), item('b'), item('c', true)]
    expect(markedRead(items, ['b', 'x']).map((i) => i.read)).toEqual([false, true, true])
    expect(markedRead(items, 'all').every((i) => i.read)).toBe(true)
    expect(items[1]?.read).toBe(false) // the list it was given is left as it was
  })
})

describe('the channel settings', () => {
  it('lists the messengers first', () => {
    expect(orderedChannels(STATES).map((s) => s.channel)).toEqual(['wecom', 'dingtalk', 'sms', 'email'])
  })
  it('say why a channel cannot be used and which one is in use', () => {
    expect(channelNote(STATES[1]!)).toContain('花名册中没有您的电子邮箱')
    expect(channelNote(STATES[0]!)).toBe('当前提醒通过此方式发送')
    expect(channelNote(STATES[2]!)).toContain('已关闭')
  })
  it('send the whole muted list after one switch', () => {
    expect(mutedAfter(STATES, 'sms', false)).toEqual(['wecom', 'sms'])
    expect(mutedAfter(STATES, 'wecom', true)).toEqual([])
  })
})

describe('the unread count store', () => {
  const fetchMock = vi.fn<typeof fetch>()
  const answer = (unread: number) =>
    new Response(JSON.stringify({ items: [], unread, next: null }), { status: 200, headers: { 'Content-Type': 'application/json' } })

  beforeEach(() => {
    setActivePinia(createPinia())
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => vi.unstubAllGlobals())

  it('asks with the cheapest request and keeps the count', async () => {
    fetchMock.mockResolvedValue(answer(2))
    const inbox = useInbox()
    await inbox.refresh()
    expect(inbox.unread).toBe(2)
    expect(String(fetchMock.mock.calls[0]?.[0])).toBe('/me/notifications?limit=1')
  })

  it('does not ask again on coming back within a minute, and asks after', async () => {
    fetchMock.mockResolvedValue(answer(2))
    const inbox = useInbox()
    await inbox.refresh(0, 1_000)
    await inbox.refresh(STALE_MS, 1_000 + STALE_MS - 1)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    await inbox.refresh(STALE_MS, Date.now() + STALE_MS + 1)
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('keeps a count set meanwhile over an older answer, and the count shown when asking fails', async () => {
    let reply: (r: Response) => void = () => undefined
    fetchMock.mockReturnValueOnce(new Promise<Response>((resolve) => (reply = resolve)))
    const inbox = useInbox()
    const asking = inbox.refresh()
    inbox.set(1) // a mark-read answered first
    reply(answer(2))
    await asking
    expect(inbox.unread).toBe(1)
    fetchMock.mockRejectedValueOnce(new TypeError('offline'))
    await inbox.refresh()
    expect(inbox.unread).toBe(1)
  })
})
