import { describe, expect, it } from 'vitest'

import type { Owed, SummaryOut } from '@/api/types'
import { addHalves, checkSummary, defaultHalf, formFromSummary, summaryBody, summaryChanged } from '@/util/summary'

const SAVED: SummaryOut = {
  half: '2026-H2',
  achievements: '成绩',
  problems: '问题',
  next_steps: '打算',
  revision: 1,
  late: false,
  amended: false,
  first_saved_at: '2027-01-05T09:00:00+08:00',
  saved_at: '2027-01-05T09:00:00+08:00',
}

function owed(kind: Owed['kind'], period: string): Owed {
  return { kind, period, due: '2027-01-14', overdue: false, last_day: '2027-01-21', provisional: false }
}

describe('the summary body', () => {
  it('sends the three parts as typed, and the reason only when revising', () => {
    const form = formFromSummary(SAVED)
    form.achievements = '成绩\n第二段'
    form.reason = '补充'
    expect(summaryBody(form, false)).toEqual({ achievements: '成绩\n第二段', problems: '问题', next_steps: '打算' })
    expect(summaryBody(form, true).reason).toBe('补充')
  })
})

describe('checks before saving', () => {
  it('given an empty part, then it names that part', () => {
    const form = formFromSummary(null)
    form.achievements = '有'
    form.next_steps = '有'
    expect(checkSummary(form, false)).toEqual([{ field: 'problems', message: '请填写“存在问题”' }])
  })
  it('given a part over 5000 characters, then it says so', () => {
    const form = formFromSummary(SAVED)
    form.problems = '问'.repeat(5001)
    expect(checkSummary(form, false).map((e) => e.field)).toEqual(['problems'])
  })
  it('given a second save without a reason, then the reason is asked for', () => {
    expect(checkSummary(formFromSummary(SAVED), true).map((e) => e.field)).toEqual(['reason'])
    expect(checkSummary(formFromSummary(SAVED), false)).toEqual([])
  })
  it('knows when the form differs from what was saved', () => {
    const form = formFromSummary(SAVED)
    expect(summaryChanged(form, formFromSummary(SAVED))).toBe(false)
    form.next_steps += '。'
    expect(summaryChanged(form, formFromSummary(SAVED))).toBe(true)
  })
})

describe('the half the screen opens on', () => {
  it('given a summary still owed, then it is that half, even in the next half', () => {
    expect(defaultHalf({ today: '2027-01-08', owes: [owed('entry', '2027-01-08'), owed('summary', '2026-H2')] })).toBe('2026-H2')
  })
  it('given no summary owed, then it is the half of today', () => {
    expect(defaultHalf({ today: '2027-01-08', owes: [owed('plan', '2027-01')] })).toBe('2027-H1')
    expect(defaultHalf({ today: '2026-07-01', owes: [] })).toBe('2026-H2')
  })
})

describe('stepping through halves', () => {
  it('goes from the second half to the first half of the next year and back', () => {
    expect(addHalves('2026-H2', 1)).toBe('2027-H1')
    expect(addHalves('2027-H1', -1)).toBe('2026-H2')
    expect(addHalves('2026-H1', -1)).toBe('2025-H2')
    expect(addHalves('2026-H1', 1)).toBe('2026-H2')
  })
})
