import { describe, expect, it } from 'vitest'

import type { EntryOut, ReviewDetail, Signal } from '@/api/types'
import { checkLogRange, defaultLogRange } from '@/util/reviewLog'
import { citedPlanItem, colleagueText, dayViews, planIndex, weekDays } from '@/util/reviewWeek'

function entry(date: string, texts: string[], over: Partial<EntryOut> = {}): EntryOut {
  return {
    date,
    items: texts.map((content) => ({ content, status: 'done', plan_item_id: null, internal: false })),
    mistakes: null,
    reflections: null,
    revision: 1,
    late: false,
    amended: false,
    first_saved_at: `${date}T18:00:00+08:00`,
    saved_at: `${date}T18:00:00+08:00`,
    ...over,
  }
}

function detail(entries: EntryOut[], signals: Signal[] = []): Pick<ReviewDetail, 'review' | 'entries' | 'signals'> {
  return {
    review: {
      assignment_id: 'a1',
      week_start: '2026-11-30',
      week_end: '2026-12-06',
      due: '2026-12-13',
      cadre_id: 'c1',
      cadre_name: '张三',
      unit_id: 'u1',
      reviewer_id: 'h1',
      status: 'open',
      late: false,
    },
    entries,
    signals,
  }
}

const marked = (text: string, ranges: { start: number; end: number }[]) => ranges.map((r) => text.slice(r.start, r.end))

describe('weekDays: the days of the week shown', () => {
  it('given a week with entries on working days only, when listed, then Monday to Friday are shown', () => {
    expect(weekDays('2026-11-30', [entry('2026-12-01', ['调研'])])).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'])
  })

  it('given an entry on a Saturday (调休), when listed, then that Saturday is shown too', () => {
    expect(weekDays('2026-11-30', [entry('2026-12-05', ['值守'])])).toContain('2026-12-05')
  })

  it('given the working calendar, when listed, then a holiday without entry is left out', () => {
    const working = (d: string) => d !== '2026-12-02'

    expect(weekDays('2026-11-30', [], working)).not.toContain('2026-12-02')
  })
})

describe('dayViews: the week with its signals drawn on it', () => {
  const today = '2026-12-08'

  it('given a working day without an entry, when shown, then it is 未填; a later day not yet come is not', () => {
    const views = dayViews(detail([entry('2026-11-30', ['调研'])]), '2026-12-02')

    expect(views.map((v) => [v.date, v.state])).toEqual([
      ['2026-11-30', 'written'],
      ['2026-12-01', 'missing'],
      ['2026-12-02', 'missing'],
      ['2026-12-03', 'future'],
      ['2026-12-04', 'future'],
    ])
  })

  it('given two near-duplicate days, when shown, then the passages they share are marked in both days', () => {
    const monday = entry('2026-11-30', ['上午到社区走访困难群众了解诉求', '下午整理材料'])
    const wednesday = entry('2026-12-02', ['参加会议', '到社区走访困难群众了解诉求并登记'])
    const signal: Signal = {
      kind: 'near_duplicate_days',
      cadre_id: 'c1',
      days: ['2026-12-02'],
      other_day: '2026-11-30',
      score: 0.86,
      message: '12月2日与11月30日的日志内容高度相似（相似度 0.86）',
    }

    const views = dayViews(detail([monday, wednesday], [signal]), today)
    const mon = views.find((v) => v.date === '2026-11-30')
    const wed = views.find((v) => v.date === '2026-12-02')

    expect(marked('上午到社区走访困难群众了解诉求', mon?.marks[0] ?? [])).toEqual(['到社区走访困难群众了解诉求'])
    expect(mon?.marks[1]).toEqual([])
    expect(wed?.marks[0]).toEqual([])
    expect(marked('到社区走访困难群众了解诉求并登记', wed?.marks[1] ?? [])).toEqual(['到社区走访困难群众了解诉求'])
    expect(wed?.badges.map((b) => b.text)).toContain('与11月30日高度相似')
    expect(mon?.notes).toEqual(['标记部分与12月2日的日志相同'])
  })

  it('given a near-empty day, when shown, then it is marked 内容过少', () => {
    const signal: Signal = { kind: 'near_empty', cadre_id: 'c1', days: ['2026-12-01'], message: '12月1日的日志仅有常用语（“无”）' }

    const views = dayViews(detail([entry('2026-12-01', ['无'])], [signal]), today)

    expect(views.find((v) => v.date === '2026-12-01')?.badges.map((b) => b.text)).toEqual(['内容过少'])
  })

  it('given a late day, when shown, then it is marked 补记 with when it was written (Shanghai time)', () => {
    const late = entry('2026-12-01', ['调研'], { late: true, first_saved_at: '2026-12-04T01:30:00+00:00' })

    const views = dayViews(detail([late]), today)

    expect(views.find((v) => v.date === '2026-12-01')?.badges.map((b) => b.text)).toEqual(['补记：写于 2026年12月4日 09:30'])
  })

  it('given days back-filled together, when shown, then each is marked, with its time where 补记 does not already give it', () => {
    const e1 = entry('2026-11-30', ['走访企业了解用工情况'], { late: true, first_saved_at: '2026-12-04T20:01:00+08:00' })
    const e2 = entry('2026-12-01', ['召开专题会议部署冬季安全'], { first_saved_at: '2026-12-04T20:05:00+08:00' })
    const signal: Signal = { kind: 'bulk_backfill', cadre_id: 'c1', days: ['2026-11-30', '2026-12-01'], message: '11月30日、12月1日共 2 天的日志于 12月4日 20:01至20:05 集中首次保存' }

    const views = dayViews(detail([e1, e2], [signal]), today)

    expect(views[0]?.badges.map((b) => b.text)).toEqual(['补记：写于 2026年12月4日 20:01', '集中补记'])
    expect(views[1]?.badges.map((b) => b.text)).toEqual(['集中补记：写于 2026年12月4日 20:05'])
  })

  it('given a day similar to a colleague\'s, when shown, then the day is marked and the note names the colleague by name when known', () => {
    const signal: Signal = {
      kind: 'near_duplicate_colleagues',
      cadre_id: 'c1',
      days: ['2026-12-01'],
      other_cadre_id: 'c9',
      other_day: '2026-12-01',
      score: 0.9,
      message: '12月1日的日志与同单位 c9 同日的日志内容高度相似（相似度 0.90）',
    }

    const views = dayViews(detail([entry('2026-12-01', ['检查食品安全'])], [signal]), today)

    expect(views.find((v) => v.date === '2026-12-01')?.badges.map((b) => b.text)).toEqual(['与同单位同事的日志高度相似'])
    expect(colleagueText(signal, (id) => (id === 'c9' ? '赵六' : undefined))).toBe('相似的日志：赵六 12月1日的日志（相似度 0.90）')
    expect(colleagueText(signal, () => undefined)).toBe('相似的日志：人员编号 c9 12月1日的日志（相似度 0.90）')
  })
})

describe('citedPlanItem: the plan item an entry cites', () => {
  const plans = planIndex([
    { month: '2026-11', id: 'p1', content: '十一月：完成安全检查', target: null, referenced_on: ['2026-11-30'] },
    { month: '2026-12', id: 'p1', content: '十二月：开展冬季走访', target: null, referenced_on: [] },
  ])

  it('given a week across two months, when an entry cites p1, then the plan of the entry\'s own month is meant', () => {
    expect(citedPlanItem(plans, '2026-11-30', 'p1')?.content).toBe('十一月：完成安全检查')
    expect(citedPlanItem(plans, '2026-12-01', 'p1')?.content).toBe('十二月：开展冬季走访')
  })

  it('given no citation or an item no longer in the plan, when looked up, then there is none', () => {
    expect(citedPlanItem(plans, '2026-12-01', null)).toBeNull()
    expect(citedPlanItem(plans, '2026-12-01', 'gone')).toBeNull()
  })
})

describe('the longer log: its date range', () => {
  it('given today, when opened, then the last four weeks are shown: from the Monday three weeks back to today', () => {
    expect(defaultLogRange('2026-12-09')).toEqual({ from: '2026-11-16', to: '2026-12-09' })
  })

  it('given a range of 92 days, when checked, then it may be asked for; 93 days may not', () => {
    expect(checkLogRange({ from: '2026-09-01', to: '2026-12-01' })).toBeNull()
    expect(checkLogRange({ from: '2026-08-31', to: '2026-12-01' })).toBe('一次最多查看 92 天的日志，请缩小日期范围')
  })

  it('given a reversed or missing range, when checked, then the reader is told what to fix', () => {
    expect(checkLogRange({ from: '2026-12-02', to: '2026-12-01' })).toBe('起始日期不能晚于截止日期，请重新选择')
    expect(checkLogRange({ from: '', to: '2026-12-01' })).toBe('请选择起始日期')
    expect(checkLogRange({ from: '2026-12-01' })).toBe('请选择截止日期')
  })
})
