// How the reviewer's screens word things, in one place. Statuses carry an icon and text, never
// colour alone.

import type { EntryOut, ReviewOut, VerdictIn } from '@/api/types'
import { longDate, shortDate, weekday } from './dates'
import { VERDICT_LABELS, label } from './labels'
import { isOverdue, isPending } from './reviewQueue'

export type Verdict = VerdictIn['verdict']
export type ItemStatus = EntryOut['items'][number]['status']

export interface Label {
  text: string
  icon: string
  /** A CSS class for the tone (the text and icon say it too). */
  tone: 'ok' | 'warn' | 'bad' | 'muted'
}

/** The verdicts in the order of the keys 1, 2, 3, worded as the server words them. */
export const VERDICTS: readonly { value: Verdict; text: string; hint: string; icon: string }[] = [
  { value: 'adequate', text: label(VERDICT_LABELS, 'adequate'), hint: '日志真实具体，能反映当周工作', icon: 'passed' },
  { value: 'perfunctory', text: label(VERDICT_LABELS, 'perfunctory'), hint: '内容空泛、重复或流于形式；同一季度内两次将启动提醒谈话', icon: 'warning-o' },
  { value: 'suspected_falsification', text: label(VERDICT_LABELS, 'suspected_falsification'), hint: '内容与实际不符或明显编造；将启动问责程序', icon: 'close' },
]

export function verdictText(verdict: Verdict | null | undefined): string {
  return VERDICTS.find((v) => v.value === verdict)?.text ?? ''
}

export function verdictIcon(verdict: Verdict | null | undefined): string {
  return VERDICTS.find((v) => v.value === verdict)?.icon ?? 'passed'
}

export const ITEM_STATUS: Record<ItemStatus, Label> = {
  done: { text: '已完成', icon: 'passed', tone: 'ok' },
  in_progress: { text: '推进中', icon: 'clock-o', tone: 'warn' },
  not_done: { text: '未完成', icon: 'close', tone: 'bad' },
}

type RowReview = Pick<ReviewOut, 'status' | 'due' | 'overdue_marked_at' | 'verdict' | 'verdict_text' | 'late'>

/** A queue row's state: 待审阅 / 已逾期 / 已审阅：合格 … (`queued`: a verdict waits in the outbox). */
export function reviewState(r: RowReview, today: string, queued = false): Label {
  if (!isPending(r)) {
    const verdict = r.verdict_text ?? verdictText(r.verdict)
    const text = `已审阅：${verdict}${r.late ? '（逾期后审阅）' : ''}`
    return { text, icon: verdictIcon(r.verdict), tone: r.verdict === 'adequate' ? 'ok' : 'bad' }
  }
  if (queued) return { text: '结论已保存在本机，待提交', icon: 'upgrade', tone: 'muted' }
  if (isOverdue(r, today)) return { text: `已逾期（应于 ${shortDate(r.due)} 前审阅）`, icon: 'warning-o', tone: 'bad' }
  return { text: '待审阅', icon: 'todo-list-o', tone: 'warn' }
}

export const READ_PURPOSE: Record<string, string> = {
  review: '周审阅',
  unit_head: '单位主要负责人查阅本单位干部日志',
  district_leader: '区领导查阅单位主要负责人日志',
  inspector: '检查人员抽查',
  vetting: '干部考察',
  own: '本人日志',
}

const WEEKDAY_NAMES = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

/** A day's heading: 2026年12月1日 星期二, or within a known week 12月1日 星期二. */
export function dayTitle(date: string, short = false): string {
  return short ? `${shortDate(date)} ${WEEKDAY_NAMES[weekday(date)]}` : longDate(date)
}
