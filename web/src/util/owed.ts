// What GET /me says is owed, in the words a cadre reads on 今日: what it is, by when, and where to
// write it.

import type { Owed } from '@/api/types'
import { halfLabel, monthLabel, shortDate } from './dates'

export const PROVISIONAL_NOTE = '节假日安排尚未公布，按周一至周五计'

export interface OwedView {
  key: string
  /** "12月1日 工作日志", "2026年12月 月度计划", "2026年下半年 半年总结" */
  title: string
  /** "还可补记至 12月8日", "今日应填写" … */
  when: string
  overdue: boolean
  note: string | null
  /** Where to write it; null for today's entry, which is written on 今日 itself. */
  link: string | null
}

function title(o: Owed): string {
  if (o.kind === 'entry') return `${shortDate(o.period)} 工作日志`
  if (o.kind === 'plan') return `${monthLabel(o.period)} 月度计划`
  return `${halfLabel(o.period)} 半年总结`
}

function until(day: string, today: string): string {
  return day === today ? `今日（${shortDate(day)}）` : shortDate(day)
}

function when(o: Owed, today: string): string {
  if (o.kind === 'entry') {
    if (o.overdue) return `还可补记至 ${until(o.last_day, today)}`
    return o.due === today ? '今日应填写' : `应于 ${shortDate(o.due)} 填写`
  }
  if (o.overdue) return `已过截止日期 ${shortDate(o.due)}，还可补交至 ${until(o.last_day, today)}`
  return o.due === today ? '今日截止' : `请于 ${shortDate(o.due)} 前完成`
}

function link(o: Owed, today: string): string | null {
  if (o.kind === 'plan') return `/plan/${o.period}`
  if (o.kind === 'summary') return `/summary/${o.period}`
  return o.period === today ? null : `/day/${o.period}`
}

export function owedView(o: Owed, today: string): OwedView {
  return {
    key: `${o.kind}|${o.period}`,
    title: title(o),
    when: when(o, today),
    overdue: o.overdue,
    note: o.provisional ? PROVISIONAL_NOTE : null,
    link: link(o, today),
  }
}

/** One line: "12月1日 工作日志 — 还可补记至 12月8日". */
export function owedSentence(o: Owed, today: string): string {
  const v = owedView(o, today)
  return `${v.title} — ${v.when}`
}

/** Most urgent first: the one whose last day comes first, then the earlier period. */
export function owedInOrder(owes: Owed[], today: string): OwedView[] {
  return [...owes]
    .sort((a, b) => (a.last_day === b.last_day ? (a.period < b.period ? -1 : 1) : a.last_day < b.last_day ? -1 : 1))
    .map((o) => owedView(o, today))
}

/** A line for the top of a plan's or summary's editor, or '' when nothing is owed for it now. */
export function owedNotice(owes: readonly Owed[], kind: Owed['kind'], period: string): string {
  const owed = owes.find((o) => o.kind === kind && o.period === period)
  if (!owed) return ''
  const provisional = owed.provisional ? '（节假日安排待定，期限可能调整）' : ''
  if (owed.overdue) return `已过提交期限（${shortDate(owed.due)}），现在提交将记为补交；最迟可于 ${shortDate(owed.last_day)} 前提交${provisional}`
  return `请于 ${shortDate(owed.due)} 前提交${provisional}`
}
