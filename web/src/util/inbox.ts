// The inbox's rules: the badge's text, how a delivery and a channel are worded, which links the app
// follows, and the muted list a switch leads to. Pure, so that the screens stay thin.
import type { Channel, ChannelState, NoticeLine, NotificationOut } from '@/api/types'

import { longDate } from './dates'

export { badgeText, unreadWords } from './badge'

/** The channels in the order the settings list them. */
export const CHANNEL_ORDER: Channel[] = ['wecom', 'dingtalk', 'sms', 'email']

export const CHANNEL_LABELS: Record<Channel, string> = {
  sms: '短信',
  email: '电子邮件',
  wecom: '企业微信',
  dingtalk: '钉钉',
}

/** What the roster must hold for a channel to reach someone. */
const CHANNEL_NEEDS: Record<Channel, string> = {
  sms: '手机号码',
  email: '电子邮箱',
  wecom: '企业微信账号',
  dingtalk: '钉钉账号',
}

/** How the item reached the person besides the inbox. */
export function deliveryText(item: Pick<NotificationOut, 'channel' | 'status'>): string {
  if (!item.channel || item.status === 'no_channel' || item.status === 'muted') return '仅站内消息'
  const name = CHANNEL_LABELS[item.channel]
  switch (item.status) {
    case 'sent':
      return `已同时通过${name}发送`
    case 'retrying':
    case 'queued':
      return `正在通过${name}发送`
    default:
      return `${name}发送未成功，请以本消息为准`
  }
}

/** A line's last day in words, or nothing when it has none. */
export function lastDayText(line: Pick<NoticeLine, 'last_day' | 'due'>): string {
  if (line.last_day) return `最迟 ${longDate(line.last_day)}`
  if (line.due) return `截止 ${longDate(line.due)}`
  return ''
}

/** The app path a line links to, or null when it is not one of the app's own paths. */
export function appLink(link: string | null | undefined): string | null {
  if (!link || !/^\/[A-Za-z0-9]/.test(link) || link.includes('\\')) return null
  return link
}

/** The items with these ids read (a new array; the others as they were). */
export function markedRead(items: NotificationOut[], ids: Iterable<string> | 'all'): NotificationOut[] {
  const wanted = ids === 'all' ? null : new Set(ids)
  return items.map((i) => (!i.read && (wanted === null || wanted.has(i.id)) ? { ...i, read: true } : i))
}

/** The channel states in the settings' order. */
export function orderedChannels(states: ChannelState[]): ChannelState[] {
  return [...states].sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel))
}

/** What the settings say under a channel. */
export function channelNote(state: ChannelState): string {
  if (!state.available) return `花名册中没有您的${CHANNEL_NEEDS[state.channel]}，无法通过${CHANNEL_LABELS[state.channel]}提醒；如需开通，请联系本单位花名册管理员`
  if (state.muted) return '已关闭，不会通过此方式提醒'
  if (state.preferred) return '当前提醒通过此方式发送'
  return '可用；首选方式关闭或不可用时使用'
}

/** The muted list after switching one channel on (receive) or off (mute). */
export function mutedAfter(states: ChannelState[], channel: Channel, receive: boolean): Channel[] {
  const muted = new Set(states.filter((s) => s.muted).map((s) => s.channel))
  if (receive) muted.delete(channel)
  else muted.add(channel)
  return CHANNEL_ORDER.filter((c) => muted.has(c))
}
