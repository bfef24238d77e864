import { describe, expect, it } from 'vitest'

import { addDays, addMonths, dateTime, daysOfMonth, halfOf, longDate, weekStart } from '@/util/dates'

describe('dates are read from their ISO parts, never the phone clock or zone', () => {
  it('names the weekday in Chinese', () => {
    expect(longDate('2026-12-01')).toBe('2026年12月1日 星期二')
    expect(longDate('2027-01-03')).toBe('2027年1月3日 星期日')
  })
  it('walks days and months across year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(addMonths('2026-12', 1)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
    expect(daysOfMonth('2026-02')).toHaveLength(28)
    expect(halfOf('2026-07-01')).toBe('2026-H2')
  })
  it('finds the Monday of a week', () => {
    expect(weekStart('2026-12-06')).toBe('2026-11-30')
    expect(weekStart('2026-11-30')).toBe('2026-11-30')
  })
  it('shows server timestamps in Shanghai time', () => {
    expect(dateTime('2026-11-30T23:30:00+00:00')).toBe('2026年12月1日 07:30')
  })
})
