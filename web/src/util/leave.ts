// The leave form as data: checked before sending (the server checks again and has the last word:
// overlaps, how far back, how long), and turned into POST /leaves' body.

import type { LeaveIn } from '@/api/types'
import { addDays } from './dates'
import { charCount, filled, type FieldError } from './forms'
import { LEAVE_KIND_LABELS } from './labels'

/** LeaveIn's limits (docs/openapi.json). */
export const LEAVE_LIMITS = { note: 500 } as const

export type LeaveKind = LeaveIn['kind']

export const LEAVE_KINDS = Object.keys(LEAVE_KIND_LABELS) as LeaveKind[]

export interface LeaveForm {
  from: string
  to: string
  kind: LeaveKind | ''
  note: string
}

export function emptyLeave(today: string): LeaveForm {
  return { from: today, to: today, kind: '', note: '' }
}

const ISO = /^(20\d{2})-(\d{2})-(\d{2})$/

/** A real calendar day written YYYY-MM-DD, from 2000 to 2099 (what the API accepts). */
export function isDay(text: string): boolean {
  const m = ISO.exec(text)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/** Days from `from` to `to`, both counted: 12月1日–12月3日 is 3 days. */
export function leaveDays(from: string, to: string): number {
  let n = 1
  for (let d = from; d < to && n <= 400; d = addDays(d, 1)) n++
  return n
}

export function checkLeave(form: LeaveForm): FieldError[] {
  const errors: FieldError[] = []
  if (!form.from) errors.push({ field: 'from', message: '请选择开始日期' })
  else if (!isDay(form.from)) errors.push({ field: 'from', message: '开始日期不正确' })
  if (!form.to) errors.push({ field: 'to', message: '请选择结束日期' })
  else if (!isDay(form.to)) errors.push({ field: 'to', message: '结束日期不正确' })
  if (isDay(form.from) && isDay(form.to) && form.to < form.from) errors.push({ field: 'to', message: '结束日期不能早于开始日期' })
  if (!form.kind || !LEAVE_KINDS.includes(form.kind)) errors.push({ field: 'kind', message: '请选择请假类型' })
  if (charCount(form.note) > LEAVE_LIMITS.note) errors.push({ field: 'note', message: `说明最多 ${LEAVE_LIMITS.note} 字` })
  return errors
}

/** POST /leaves' body; a blank note is left out. Call only when checkLeave found nothing. */
export function leaveBody(form: LeaveForm): LeaveIn {
  const body: LeaveIn = { from: form.from, to: form.to, kind: form.kind as LeaveKind }
  if (filled(form.note)) body.note = form.note
  return body
}
