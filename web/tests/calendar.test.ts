import { describe, expect, it } from 'vitest'

import type { EntryOut, LeaveOut, MeCalendar, MeCalendarDay } from '@/api/types'
import { ariaLabel, dayState, LEGEND, monthGrid, monthRange, monthStates, stillWritable, STATE_WORDS } from '@/util/calendar'

const TODAY = '2026-12-09' // a Wednesday

/** A day as GET /me/calendar sends it; by default a past Monday–Friday working day, owed, open. */
function day(date: string, over: Partial<MeCalendarDay> = {}): MeCalendarDay {
  return {
    date,
    working: true,
    kind: 'workday',
    provisional: false,
    in_post: true,
    on_leave: false,
    owed: date <= TODAY,
    due: date <= TODAY ? date : null,
    last_day: date <= TODAY ? '2026-12-16' : null,
    locked: false,
    ...over,
  }
}

const REST = { working: false, kind: 'weekend', owed: false, due: null, last_day: null } as const
const ON_TIME = { late: false }
const LATE = { late: true }

describe('a day with a saved entry', () => {
  it('given an entry saved on time, when shown, then it is 已填', () => {
    expect(dayState(day('2026-12-01'), TODAY, ON_TIME).code).toBe('filed')
    expect(dayState(day('2026-12-01'), TODAY, ON_TIME).label).toBe('已填')
  })
  it('given an entry saved after its due date, when shown, then it is 补记', () => {
    const s = dayState(day('2026-12-01'), TODAY, LATE)
    expect(s.code).toBe('late')
    expect(s.label).toBe('补记')
  })
  it('given an entry filed on a leave day, when shown, then the entry wins: 已填', () => {
    const s = dayState(day('2026-12-02', { on_leave: true, owed: false }), TODAY, ON_TIME, { kind: 'sick' })
    expect(s.code).toBe('filed')
  })
  it('given an entry filed on a weekend or a holiday, when shown, then it is 已填, not 休息日', () => {
    expect(dayState(day('2026-12-06', REST), TODAY, ON_TIME).code).toBe('filed')
    expect(dayState(day('2026-12-07', { ...REST, kind: 'holiday' }), TODAY, ON_TIME).code).toBe('filed')
  })
  it('given today already filed, when shown, then it is 已填, not 今日待填', () => {
    expect(dayState(day(TODAY), TODAY, ON_TIME).code).toBe('filed')
  })
})

describe('a day without an entry', () => {
  it('given a past owed working day still open, when shown, then it is 未填 and says until when it can be written', () => {
    const s = dayState(day('2026-12-08'), TODAY)
    expect(s.code).toBe('missing')
    expect(s.label).toBe('未填')
    expect(s.note).toBe('还可补记至12月16日')
    expect(s.lastDay).toBe('2026-12-16')
  })
  it('given a past owed day past its window, when shown, then it is 未填 and says it is locked', () => {
    const s = dayState(day('2026-11-02', { locked: true, last_day: '2026-11-09' }), TODAY)
    expect(s.code).toBe('missing')
    expect(s.note).toBe('已超过补记期限')
    expect(s.lastDay).toBeNull()
  })
  it('given today owed and not filed yet, when shown, then it is 今日待填, not 未填', () => {
    const s = dayState(day(TODAY), TODAY)
    expect(s.code).toBe('today')
    expect(s.label).toBe('今日待填')
    expect(s.isToday).toBe(true)
  })
  it('given a past working day that was not owed (not yet in post), when shown, then it is not 未填', () => {
    const s = dayState(day('2026-12-01', { owed: false, in_post: false, due: null, last_day: null }), TODAY)
    expect(s.code).toBe('not_owed')
    expect(s.note).toBe('不在岗')
  })
  it('given a registered leave day, when shown, then it is 请假 with the kind of leave', () => {
    const s = dayState(day('2026-12-03', { on_leave: true, owed: false }), TODAY, null, { kind: 'business_trip' })
    expect(s.code).toBe('leave')
    expect(s.label).toBe('请假')
    expect(s.note).toBe('出差')
  })
  it('given leave the calendar knows of but the leave list does not cover, when shown, then it is still 请假', () => {
    expect(dayState(day('2026-12-03', { on_leave: true, owed: false }), TODAY).code).toBe('leave')
  })
  it('given a weekend day, when shown, then it is 休息日; a holiday says so', () => {
    expect(dayState(day('2026-12-05', REST), TODAY).code).toBe('rest')
    expect(dayState(day('2026-12-05', REST), TODAY).label).toBe('休息日')
    expect(dayState(day('2026-10-01', { ...REST, kind: 'holiday' }), TODAY).note).toBe('节假日')
  })
})

describe('days to come', () => {
  it('given a working day after today, when shown, then it is plain and does not open', () => {
    const s = dayState(day('2026-12-10'), TODAY)
    expect(s.code).toBe('future')
    expect(s.short).toBe('')
    expect(s.icon).toBe('')
    expect(s.link).toBe(false)
  })
  it('given leave registered for a day to come, when shown, then it says 请假 (the leave is a fact already)', () => {
    expect(dayState(day('2026-12-14', { on_leave: true }), TODAY, null, { kind: 'annual' }).code).toBe('leave')
  })
  it('given a weekend to come, when shown, then it is 休息日', () => {
    expect(dayState(day('2026-12-12', REST), TODAY).code).toBe('rest')
  })
  it('given today and past days, when shown, then they open their day screen', () => {
    expect(dayState(day(TODAY), TODAY).link).toBe(true)
    expect(dayState(day('2026-12-05', REST), TODAY).link).toBe(true)
  })
})

describe('marks in addition to the state', () => {
  it('given a working weekend day (调休上班日), when shown, then it is marked and keeps its fill state', () => {
    const adjusted = { kind: 'adjusted_workday' } as const
    expect(dayState(day('2026-12-06', adjusted), TODAY)).toMatchObject({ code: 'missing', adjusted: true })
    expect(dayState(day('2026-12-06', adjusted), TODAY, ON_TIME)).toMatchObject({ code: 'filed', adjusted: true })
    expect(dayState(day('2026-12-13', adjusted), TODAY)).toMatchObject({ code: 'future', adjusted: true })
    expect(dayState(day('2026-12-01'), TODAY).adjusted).toBe(false)
  })
  it('given a provisional calendar (待定), when shown, then every state carries the mark', () => {
    const p = { provisional: true }
    expect(dayState(day('2026-12-01', p), TODAY, ON_TIME)).toMatchObject({ code: 'filed', provisional: true })
    expect(dayState(day('2026-12-08', p), TODAY)).toMatchObject({ code: 'missing', provisional: true })
    expect(dayState(day('2026-12-05', { ...REST, ...p }), TODAY)).toMatchObject({ code: 'rest', provisional: true })
    expect(dayState(day('2026-12-10', p), TODAY)).toMatchObject({ code: 'future', provisional: true })
    expect(dayState(day('2026-12-01'), TODAY).provisional).toBe(false)
  })
})

describe('what a screen reader hears', () => {
  it('given a cell, when read aloud, then it names the date, weekday, state and marks', () => {
    expect(ariaLabel(dayState(day('2026-12-01'), TODAY, ON_TIME))).toBe('12月1日 星期二 已填')
    expect(ariaLabel(dayState(day('2026-12-06', { kind: 'adjusted_workday', provisional: true }), TODAY))).toBe(
      '12月6日 星期日 未填，还可补记至12月16日，调休上班日，待定',
    )
    expect(ariaLabel(dayState(day(TODAY), TODAY))).toBe('12月9日 星期三 今日待填，请于今日填写，今天')
  })
  it('never leaves a state without words or a legend entry for a state a past day can have', () => {
    for (const [code, words] of Object.entries(STATE_WORDS)) {
      expect(words.label, code).not.toBe('')
      if (code !== 'future' && code !== 'not_owed') expect(LEGEND.some((l) => l.code === code), code).toBe(true)
    }
  })
})

describe('the month', () => {
  function calendar(month: string, days: MeCalendarDay[]): MeCalendar {
    return { month, today: TODAY, source: 'official', days }
  }
  function entry(date: string, late = false): EntryOut {
    return { date, items: [], revision: 1, late, amended: false, first_saved_at: `${date}T18:00:00+08:00`, saved_at: `${date}T18:00:00+08:00` }
  }
  function leave(from: string, to: string, kind: LeaveOut['kind'] = 'annual'): LeaveOut {
    return { from, to, kind, recorded_at: '2026-11-30T09:00:00+08:00', hash: `${from}${to}` }
  }

  it('given entries and leaves, when the month is combined, then each day takes its own entry and leave', () => {
    const days = [day('2026-12-01'), day('2026-12-02'), day('2026-12-03', { on_leave: true, owed: false }), day('2026-12-04')]
    const states = monthStates(calendar('2026-12', days), [entry('2026-12-01'), entry('2026-12-02', true)], [leave('2026-12-03', '2026-12-03', 'training')])
    expect(states.map((s) => s.code)).toEqual(['filed', 'late', 'leave', 'missing'])
    expect(states[2]?.note).toBe('培训学习')
    expect(stillWritable(states).map((s) => s.date)).toEqual(['2026-12-04'])
  })

  it('lays out December 2026 Monday first: the 1st is a Tuesday, five rows', () => {
    const grid = monthGrid('2026-12')
    expect(grid).toHaveLength(5)
    expect(grid[0]).toEqual([null, '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'])
    expect(grid[4]).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', null, null, null])
  })
  it('lays out a month starting on a Sunday with six leading blanks, and one starting on a Monday with none', () => {
    expect(monthGrid('2026-11')[0]?.slice(0, 7)).toEqual([null, null, null, null, null, null, '2026-11-01'])
    expect(monthGrid('2027-02')[0]?.[0]).toBe('2027-02-01')
    expect(monthGrid('2027-02')).toHaveLength(4)
  })
  it('asks for the whole month', () => {
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
  })
})
