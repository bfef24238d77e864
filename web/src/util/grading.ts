// The rules of the quarterly grading screen (季度考评): quarter arithmetic, which quarter opens by
// default, the figures in words, and the grade form's body. No ranking anywhere: cadres stay in
// the roster's order, as the server sends them.

import type { CadreQuarter, EvaluationIn, Grade } from '@/api/types'
import { CASE_KIND_LABELS, FINDING_LABELS, GRADE_LABELS, VERDICT_LABELS, label } from './labels'

const QUARTER = /^(\d{4})-Q([1-4])$/
const NUMERALS = ['一', '二', '三', '四']

/** The comment's limit (EvaluationIn.comment), in characters after trimming. */
export const COMMENT_MAX = 2000

/** The grades in their fixed order, worded as the server words them. */
export const GRADES: readonly { value: Grade; text: string }[] = (Object.keys(GRADE_LABELS) as Grade[]).map((value) => ({
  value,
  text: label(GRADE_LABELS, value),
}))

export function isQuarter(value: unknown): value is string {
  return typeof value === 'string' && QUARTER.test(value)
}

function parts(quarter: string): [number, number] {
  const m = QUARTER.exec(quarter)
  if (!m) throw new Error(`not a quarter: ${quarter}`)
  return [Number(m[1]), Number(m[2])]
}

/** The quarter a day (YYYY-MM-DD) falls in: 2026-08-15 → 2026-Q3. */
export function quarterOf(isoDate: string): string {
  const month = Number(isoDate.slice(5, 7))
  return `${isoDate.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`
}

/** n quarters later (earlier when n < 0), across year ends. */
export function addQuarters(quarter: string, n: number): string {
  const [year, q] = parts(quarter)
  const index = year * 4 + (q - 1) + n
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`
}

/** "2026-Q3" → "2026年第三季度" (worded as the server's quarter_label). */
export function quarterLabel(quarter: string): string {
  const [year, q] = parts(quarter)
  return `${year}年第${NUMERALS[q - 1]}季度`
}

export function firstDayOf(quarter: string): string {
  const [year, q] = parts(quarter)
  return `${year}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`
}

/**
 * The quarter the screen opens on: the last one that has ended. Grades are given on a quarter's
 * whole record, after it closes (the quarterly audit is drawn then too); the quarter under way is
 * one step forward, with its figures so far.
 */
export function defaultQuarter(today: string): string {
  return addQuarters(quarterOf(today), -1)
}

/** Whether a quarter has begun by ``today``: only those can be graded or shown (the server's rule). */
export function hasBegun(quarter: string, today: string): boolean {
  return firstDayOf(quarter) <= today
}

export interface Count {
  code: string
  text: string
  n: number
}

function counts(values: Record<string, number>, labels: Record<string, string>): Count[] {
  return Object.keys(labels).map((code) => ({ code, text: label(labels, code), n: values[code] ?? 0 }))
}

/** A cadre's verdicts, findings and cases as (label, count) in the server's fixed order. */
export function figureGroups(row: Pick<CadreQuarter, 'verdicts' | 'findings' | 'cases'>): { verdicts: Count[]; findings: Count[]; cases: Count[] } {
  return {
    verdicts: counts(row.verdicts, VERDICT_LABELS),
    findings: counts(row.findings, FINDING_LABELS),
    cases: counts(row.cases, CASE_KIND_LABELS),
  }
}

/** One line for a screen reader or a narrow card: 合格 3、敷衍应付 1、涉嫌造假 0 */
export function countsText(list: Count[]): string {
  return list.map((c) => `${c.text} ${c.n}`).join('、')
}

/** The body of PUT /evaluations/{quarter}/{cadre_id}: the comment as typed (the server trims its ends). */
export function evaluationBody(grade: Grade, comment: string): EvaluationIn {
  return { grade, comment }
}

/** The outbox's period of one grade: one cadre in one quarter. */
export function gradeKey(quarter: string, cadreId: string): string {
  return `${quarter}/${cadreId}`
}

/** Graded so far: 1 of 12 (a count of the unit's progress, never a ranking). */
export function gradedCount(rows: readonly Pick<CadreQuarter, 'grade'>[]): { graded: number; total: number } {
  return { graded: rows.filter((r) => r.grade).length, total: rows.length }
}
