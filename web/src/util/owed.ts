// What GET /me says is owed, worded for the editor of that period.

import type { Owed } from '@/api/types'
import { shortDate } from './dates'

/** A line for the top of a plan's or summary's editor, or '' when nothing is owed for it now. */
export function owedNotice(owes: readonly Owed[], kind: Owed['kind'], period: string): string {
  const owed = owes.find((o) => o.kind === kind && o.period === period)
  if (!owed) return ''
  const provisional = owed.provisional ? '（节假日安排待定，期限可能调整）' : ''
  if (owed.overdue) return `已过提交期限（${shortDate(owed.due)}），现在提交将记为补交；最迟可于 ${shortDate(owed.last_day)} 前提交${provisional}`
  return `请于 ${shortDate(owed.due)} 前提交${provisional}`
}
