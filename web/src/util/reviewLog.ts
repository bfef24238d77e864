// The date range of a reader's look at a cadre's log (GET /cadres/{id}/entries, at most 92 days).

import { addDays, weekStart } from './dates'

export const MAX_LOG_DAYS = 92

export interface LogRange {
  from: string
  to: string
}

/** The last four weeks up to today: from the Monday three weeks before this week's Monday. */
export function defaultLogRange(today: string): LogRange {
  return { from: addDays(weekStart(today), -21), to: today }
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1
}

const ISO = /^\d{4}-\d{2}-\d{2}$/

/** What is wrong with a range, in words for the reader; null when it can be asked for. */
export function checkLogRange(range: Partial<LogRange>): string | null {
  if (!range.from || !ISO.test(range.from)) return '请选择起始日期'
  if (!range.to || !ISO.test(range.to)) return '请选择截止日期'
  if (range.from > range.to) return '起始日期不能晚于截止日期，请重新选择'
  if (daysBetween(range.from, range.to) > MAX_LOG_DAYS) return `一次最多查看 ${MAX_LOG_DAYS} 天的日志，请缩小日期范围`
  return null
}
