// The half-year summary's editor as data: three parts, a reason from the second save on.

import type { Me, SummaryIn, SummaryOut } from '@/api/types'
import { halfOf } from './dates'
import { charCount, filled, type FieldError } from './forms'

/** SummaryIn's limits (docs/openapi.json). */
export const SUMMARY_LIMITS = { part: 5000, reason: 500 } as const

export type SummaryPart = 'achievements' | 'problems' | 'next_steps'

export const SUMMARY_PARTS: { key: SummaryPart; label: string; placeholder: string }[] = [
  { key: 'achievements', label: '主要成绩', placeholder: '本半年完成的主要工作和取得的成绩' },
  { key: 'problems', label: '存在问题', placeholder: '工作中存在的问题和不足' },
  { key: 'next_steps', label: '下步打算', placeholder: '下一步的工作打算和改进措施' },
]

export interface SummaryForm {
  achievements: string
  problems: string
  next_steps: string
  reason: string
}

export function formFromSummary(summary: SummaryOut | null): SummaryForm {
  return {
    achievements: summary?.achievements ?? '',
    problems: summary?.problems ?? '',
    next_steps: summary?.next_steps ?? '',
    reason: '',
  }
}

export function summaryBody(form: SummaryForm, revising: boolean): SummaryIn {
  const body: SummaryIn = { achievements: form.achievements, problems: form.problems, next_steps: form.next_steps }
  if (revising) body.reason = form.reason
  return body
}

export function checkSummary(form: SummaryForm, revising: boolean): FieldError[] {
  const errors: FieldError[] = []
  for (const part of SUMMARY_PARTS) {
    const text = form[part.key]
    if (!filled(text)) errors.push({ field: part.key, message: `请填写“${part.label}”` })
    else if (charCount(text) > SUMMARY_LIMITS.part) errors.push({ field: part.key, message: `“${part.label}”超过 ${SUMMARY_LIMITS.part} 字` })
  }
  if (revising) {
    if (!filled(form.reason)) errors.push({ field: 'reason', message: '修改已保存的总结，请填写修订原因' })
    else if (charCount(form.reason) > SUMMARY_LIMITS.reason) errors.push({ field: 'reason', message: `修订原因最多 ${SUMMARY_LIMITS.reason} 字` })
  }
  return errors
}

export function summaryChanged(form: SummaryForm, saved: SummaryForm): boolean {
  return SUMMARY_PARTS.some((p) => form[p.key] !== saved[p.key]) || form.reason !== saved.reason
}

/** The half the screen opens on: a summary still owed if there is one, else the half of today. */
export function defaultHalf(me: Pick<Me, 'today' | 'owes'>): string {
  const owed = me.owes.find((o) => o.kind === 'summary')
  return owed ? owed.period : halfOf(me.today)
}

/** 2026-H2 + 1 → 2027-H1; 2026-H1 − 1 → 2025-H2 */
export function addHalves(half: string, n: number): string {
  const index = Number(half.slice(0, 4)) * 2 + (half.endsWith('H2') ? 1 : 0) + n
  return `${Math.floor(index / 2)}-H${(index % 2) + 1}`
}
