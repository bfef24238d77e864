import { describe, expect, it } from 'vitest'

import {
  describe as describeBar,
  exportMonths,
  monthChoices,
  monthsEndingWith,
  niceMax,
  percent,
  reviewedText,
  segments,
  ticks,
} from '@/util/figures'

const FIGURES = { owed: 12, on_time: 3, late: 1, missing: 8, weeks_assigned: 2, weeks_reviewed: 1, perfunctory: 1 }

describe('the chart is scaled to a round axis', () => {
  it('ends the axis at the smallest 1, 2 or 5 times a power of ten that holds the largest bar', () => {
    expect([niceMax(0), niceMax(1), niceMax(3), niceMax(12), niceMax(20), niceMax(21), niceMax(480)]).toEqual([
      1, 1, 5, 20, 20, 50, 500,
    ])
  })
  it('puts ticks at even steps from zero to the end of the axis', () => {
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20])
    expect(ticks(50)).toEqual([0, 10, 20, 30, 40, 50])
    expect(ticks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
  })
  it('stacks on time, late and missing in that order, each as long as its share of the axis', () => {
    const parts = segments(FIGURES, 20, 200)
    expect(parts.map((p) => [p.key, p.x, p.width])).toEqual([
      ['on_time', 0, 30],
      ['late', 30, 10],
      ['missing', 40, 80],
    ])
    expect(parts.map((p) => p.label)).toEqual(['按时填写', '补记', '缺记'])
  })
})

describe('the figures are put in words', () => {
  it('gives the on-time rate to one decimal, and a dash when nothing was owed', () => {
    expect(percent(3, 12)).toBe('25.0%')
    expect(percent(2, 3)).toBe('66.7%')
    expect(percent(0, 0)).toBe('—')
  })
  it('describes a bar with every number named, for the text alternative', () => {
    expect(describeBar('区教育局', FIGURES)).toBe('区教育局：应填写 12 人·天，按时 3，补记 1，缺记 8，按时率 25.0%')
    expect(describeBar('区领导', { ...FIGURES, owed: 0, on_time: 0, late: 0, missing: 0 })).toBe('区领导：没有应填写的日志')
  })
  it('shows reviews as done over assigned, or a dash when none were assigned', () => {
    expect(reviewedText(FIGURES)).toBe('1 / 2')
    expect(reviewedText({ ...FIGURES, weeks_assigned: 0, weeks_reviewed: 0 })).toBe('—')
  })
})

describe('month lists', () => {
  it('lists the months ending with the latest, oldest first, across a year end', () => {
    expect(monthsEndingWith('2027-02', 4)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02'])
    expect(monthsEndingWith('2026-10', 0)).toEqual([])
  })
  it('offers the latest closed month first in a picker, in Chinese', () => {
    expect(monthChoices('2026-10', 3)).toEqual([
      { value: '2026-10', text: '2026年10月' },
      { value: '2026-09', text: '2026年9月' },
      { value: '2026-08', text: '2026年8月' },
    ])
  })
  it('offers this month and the months before it for an export, taking today from the server', () => {
    expect(exportMonths('2026-01-05', 2).map((m) => m.value)).toEqual(['2026-01', '2025-12'])
  })
})
