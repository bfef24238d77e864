import { describe, expect, it } from 'vitest'

import type { Owed } from '@/api/types'
import { owedInOrder, owedSentence, owedView } from '@/util/owed'

const TODAY = '2026-12-02'

function owed(over: Partial<Owed>): Owed {
  return { kind: 'entry', period: TODAY, due: TODAY, overdue: false, last_day: '2026-12-09', provisional: false, ...over }
}

describe('what is owed, in words, with where to write it', () => {
  it('given an overdue entry, then it says until when it can still be written, and links to that day', () => {
    const o = owed({ period: '2026-12-01', due: '2026-12-01', overdue: true, last_day: '2026-12-08' })
    expect(owedSentence(o, TODAY)).toBe('12月1日 工作日志 — 还可补记至 12月8日')
    expect(owedView(o, TODAY)).toMatchObject({ overdue: true, link: '/day/2026-12-01', note: null })
  })

  it('given an overdue entry on its last day, then it says today is the last day', () => {
    const o = owed({ period: '2026-11-25', due: '2026-11-25', overdue: true, last_day: TODAY })
    expect(owedView(o, TODAY).when).toBe('还可补记至 今日（12月2日）')
  })

  it("given today's entry, then it is due today and written on this screen (no link)", () => {
    expect(owedView(owed({}), TODAY)).toMatchObject({ title: '12月2日 工作日志', when: '今日应填写', link: null, overdue: false })
  })

  it('given an overdue plan, then it names the month, the missed due date and the last day, and links to the plan', () => {
    const o = owed({ kind: 'plan', period: '2026-12', due: '2026-12-01', overdue: true, last_day: '2027-01-07' })
    expect(owedSentence(o, TODAY)).toBe('2026年12月 月度计划 — 已过截止日期 12月1日，还可补交至 1月7日')
    expect(owedView(o, TODAY).link).toBe('/plan/2026-12')
  })

  it('given a summary not yet due, then it names the half-year and its due date, and links to it', () => {
    const o = owed({ kind: 'summary', period: '2026-H2', due: '2027-01-15', last_day: '2027-01-22' })
    expect(owedSentence(o, TODAY)).toBe('2026年下半年 半年总结 — 请于 1月15日 前完成')
    expect(owedView(o, TODAY).link).toBe('/summary/2026-H2')
  })

  it('given a day on a provisional calendar, then the note says how working days were counted', () => {
    expect(owedView(owed({ provisional: true }), TODAY).note).toBe('节假日安排尚未公布，按周一至周五计')
  })

  it('given several, then the one whose last day comes first is first', () => {
    const list = owedInOrder([
      owed({ kind: 'plan', period: '2026-12', last_day: '2027-01-07' }),
      owed({ period: '2026-11-26', overdue: true, last_day: '2026-12-03' }),
      owed({}),
    ], TODAY)
    expect(list.map((v) => v.key)).toEqual(['entry|2026-11-26', 'entry|2026-12-02', 'plan|2026-12'])
  })
})
