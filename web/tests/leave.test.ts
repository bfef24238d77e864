import { describe, expect, it } from 'vitest'

import { checkLeave, emptyLeave, isDay, leaveBody, leaveDays, type LeaveForm } from '@/util/leave'

function form(over: Partial<LeaveForm> = {}): LeaveForm {
  return { from: '2026-12-07', to: '2026-12-09', kind: 'annual', note: '', ...over }
}

describe('leave dates are checked before sending', () => {
  it('given from before to, or the same day, then nothing is wrong', () => {
    expect(checkLeave(form())).toEqual([])
    expect(checkLeave(form({ to: '2026-12-07' }))).toEqual([])
  })
  it('given to before from, then the end date is refused with the reason', () => {
    expect(checkLeave(form({ from: '2026-12-09', to: '2026-12-07' }))).toEqual([{ field: 'to', message: '结束日期不能早于开始日期' }])
  })
  it('given a missing or impossible date, then that field is named', () => {
    expect(checkLeave(form({ from: '' })).map((e) => e.field)).toEqual(['from'])
    expect(checkLeave(form({ to: '2026-02-30' })).map((e) => e.field)).toEqual(['to'])
    expect(isDay('2028-02-29')).toBe(true)
    expect(isDay('2027-02-29')).toBe(false)
    expect(isDay('1999-12-31')).toBe(false)
    expect(isDay('2026-1-5')).toBe(false)
  })
  it('given no kind chosen, then the kind is asked for', () => {
    expect(checkLeave(form({ kind: '' })).map((e) => e.field)).toEqual(['kind'])
  })
  it('given a note over 500 characters, then the note is named', () => {
    expect(checkLeave(form({ note: '说'.repeat(501) })).map((e) => e.field)).toEqual(['note'])
    expect(checkLeave(form({ note: '说'.repeat(500) }))).toEqual([])
  })
  it('counts the days of a leave, both ends included, across a month end', () => {
    expect(leaveDays('2026-12-07', '2026-12-07')).toBe(1)
    expect(leaveDays('2026-11-30', '2026-12-02')).toBe(3)
  })
})

describe('the leave body', () => {
  it('given a blank note, then the note is left out', () => {
    expect(leaveBody(form({ note: '  ' }))).toEqual({ from: '2026-12-07', to: '2026-12-09', kind: 'annual' })
  })
  it('given a note, then it is sent as typed, line breaks kept', () => {
    expect(leaveBody(form({ kind: 'business_trip', note: '赴市里\n参加会议' }))).toEqual({
      from: '2026-12-07',
      to: '2026-12-09',
      kind: 'business_trip',
      note: '赴市里\n参加会议',
    })
  })
  it('starts a new form on today, with no kind chosen', () => {
    expect(emptyLeave('2026-12-09')).toEqual({ from: '2026-12-09', to: '2026-12-09', kind: '', note: '' })
  })
})
