// 单位概况 and 导出: the rules behind the chart and the month lists. Figures are per unit only (the
// API names no cadre); rows keep the order they come in (roster order, or month order), never
// sorted by a figure.

import { addMonths, monthLabel } from '@/util/dates'

export interface Figures {
  owed: number
  on_time: number
  late: number
  missing: number
  weeks_assigned: number
  weeks_reviewed: number
  perfunctory: number
}

/** The three kinds of owed day, in the order they are stacked, each with its words. */
export const SERIES = [
  { key: 'on_time', label: '按时填写' },
  { key: 'late', label: '补记' },
  { key: 'missing', label: '缺记' },
] as const

export type SeriesKey = (typeof SERIES)[number]['key']

/** `count` months ending with `last`, oldest first. */
export function monthsEndingWith(last: string, count: number): string[] {
  return Array.from({ length: Math.max(count, 0) }, (_, i) => addMonths(last, i - count + 1))
}

/** The months a picker offers, newest first: `latest` and the `count - 1` before it. */
export function monthChoices(latest: string, count: number): { value: string; text: string }[] {
  return monthsEndingWith(latest, count)
    .reverse()
    .map((m) => ({ value: m, text: monthLabel(m) }))
}

/**
 * The end of the chart's axis: the smallest 1, 2 or 5 × 10^k not below `max` (at least 1, so an
 * all-zero chart still has an axis).
 */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

/** Evenly spaced axis ticks from 0 to `top` (which niceMax gave): 0 and 4 or 5 steps. */
export function ticks(top: number): number[] {
  const lead = top / 10 ** Math.floor(Math.log10(top))
  const steps = lead === 2 ? 4 : 5
  return Array.from({ length: steps + 1 }, (_, i) => Math.round(((top * i) / steps) * 1000) / 1000)
}

export interface Segment {
  key: SeriesKey
  label: string
  value: number
  /** where the segment starts and its length, in chart units (0 … width) */
  x: number
  width: number
}

/** One bar's stacked segments (on time, late, missing) scaled so that `top` spans `width`. */
export function segments(f: Figures, top: number, width: number): Segment[] {
  let at = 0
  return SERIES.map(({ key, label }) => {
    const value = f[key]
    const length = top > 0 ? (value / top) * width : 0
    const segment = { key, label, value, x: at, width: length }
    at += length
    return segment
  })
}

/** 92.3% of `whole`, one decimal; "—" when nothing was owed. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—'
  return `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`
}

/** A bar's figures in words, for its accessible name and the chart's text alternative. */
export function describe(name: string, f: Figures): string {
  if (f.owed === 0) return `${name}：没有应填写的日志`
  return `${name}：应填写 ${f.owed} 人·天，按时 ${f.on_time}，补记 ${f.late}，缺记 ${f.missing}，按时率 ${percent(f.on_time, f.owed)}`
}

/** Reviews in words: "已审阅 3 / 4 周" (or "无审阅任务"). */
export function reviewedText(f: Figures): string {
  return f.weeks_assigned ? `${f.weeks_reviewed} / ${f.weeks_assigned}` : '—'
}

/** The months one can export, newest first: this month and the `count - 1` before it. */
export function exportMonths(today: string, count: number): { value: string; text: string }[] {
  return monthChoices(today.slice(0, 7), count)
}
