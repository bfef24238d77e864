import { describe, expect, it } from 'vitest'

import type { ReviewOut } from '@/api/types'
import { filterQueue, groupByWeek, isOverdue, neighbour, nextPending, queueCounts, queueOrder, reviewKey, workWeekLabel } from '@/util/reviewQueue'
import { reviewState } from '@/util/reviewLabels'

function review(over: Partial<ReviewOut> = {}): ReviewOut {
  const week = over.week_start ?? '2026-11-30'
  return {
    assignment_id: `${week}#${over.cadre_id ?? 'c1'}`,
    week_start: week,
    week_end: '2026-12-06',
    due: '2026-12-13',
    cadre_id: 'c1',
    cadre_name: '张三',
    unit_id: 'u1',
    reviewer_id: 'h1',
    status: 'open',
    verdict: null,
    verdict_text: null,
    comment: null,
    reviewed_at: null,
    late: false,
    overdue_marked_at: null,
    ...over,
  }
}

describe('isOverdue: a review past its due date', () => {
  it('given an open review, when today is its due date, then it is still in time', () => {
    expect(isOverdue(review({ due: '2026-12-13' }), '2026-12-13')).toBe(false)
  })

  it('given an open review, when today is the day after its due date, then it is overdue even before the Monday run marks it', () => {
    expect(isOverdue(review({ due: '2026-12-13' }), '2026-12-14')).toBe(true)
  })

  it('given a review the server marked overdue, when shown, then it is overdue whatever the date', () => {
    expect(isOverdue(review({ overdue_marked_at: '2026-12-14T02:00:00+08:00' }), '2026-12-01')).toBe(true)
    expect(isOverdue(review({ status: 'overdue' }), '2026-12-01')).toBe(true)
  })

  it('given a review with its verdict, when past its due date, then it is not overdue any more', () => {
    expect(isOverdue(review({ status: 'done', verdict: 'adequate', late: true, overdue_marked_at: '2026-12-14T02:00:00+08:00' }), '2026-12-20')).toBe(false)
  })
})

describe('reviewState: what a row says', () => {
  it('given an overdue review, when shown, then it says so in words with an icon', () => {
    const state = reviewState(review({ due: '2026-12-13' }), '2026-12-15')

    expect(state.text).toBe('已逾期（应于 12月13日 前审阅）')
    expect(state.icon).toBeTruthy()
  })

  it('given a reviewed week, when shown, then the server\'s verdict text is used, and a late one is marked', () => {
    const state = reviewState(review({ status: 'done', verdict: 'perfunctory', verdict_text: '敷衍应付', late: true }), '2026-12-15')

    expect(state.text).toBe('已审阅：敷衍应付（逾期后审阅）')
  })

  it('given a verdict waiting in the outbox, when shown, then the row says it waits to be sent', () => {
    expect(reviewState(review(), '2026-12-01', true).text).toBe('结论已保存在本机，待提交')
  })

  it('given an open review in time, when shown, then it is 待审阅', () => {
    expect(reviewState(review(), '2026-12-01').text).toBe('待审阅')
  })
})

describe('groupByWeek and counts: the queue as listed', () => {
  const today = '2026-12-15'
  const list = [
    review({ week_start: '2026-11-23', week_end: '2026-11-29', due: '2026-12-06', cadre_id: 'c3', cadre_name: '王五' }),
    review({ week_start: '2026-11-30', cadre_id: 'c2', cadre_name: '李四', status: 'done', verdict: 'adequate', verdict_text: '合格' }),
    review({ week_start: '2026-11-30', cadre_id: 'c1', cadre_name: '张三' }),
    review({ week_start: '2026-12-07', week_end: '2026-12-13', due: '2026-12-20', cadre_id: 'c1', cadre_name: '张三' }),
  ]

  it('given assignments of several weeks in any order, when grouped, then weeks come newest first with their own counts', () => {
    const groups = groupByWeek(list, today)

    expect(groups.map((g) => [g.weekStart, g.weekEnd, g.pending, g.overdue])).toEqual([
      ['2026-12-07', '2026-12-13', 1, 0],
      ['2026-11-30', '2026-12-06', 1, 1],
      ['2026-11-23', '2026-11-29', 1, 1],
    ])
  })

  it('given a week of several members, when grouped, then members are in name order, whatever their status', () => {
    const week = groupByWeek(list, today).find((g) => g.weekStart === '2026-11-30')

    expect(week?.reviews.map((r) => r.cadre_name)).toEqual(['李四', '张三'])
  })

  it('given the queue, when counted, then 待审阅 counts every week without a verdict and 逾期 those past due', () => {
    expect(queueCounts(list, today)).toEqual({ pending: 3, overdue: 2 })
  })

  it('given no assignments, when grouped, then there are no groups and nothing is counted', () => {
    expect(groupByWeek([], today)).toEqual([])
    expect(queueCounts([], today)).toEqual({ pending: 0, overdue: 0 })
  })

  it('given a filter, when applied, then only the pending, the reviewed or all rows are kept', () => {
    expect(filterQueue(list, 'pending').map(reviewKey)).toEqual(['2026-11-23|c3', '2026-11-30|c1', '2026-12-07|c1'])
    expect(filterQueue(list, 'done').map(reviewKey)).toEqual(['2026-11-30|c2'])
    expect(filterQueue(list, 'all')).toHaveLength(4)
  })

  it('given a week, when labelled, then it reads Monday to Friday', () => {
    expect(workWeekLabel('2026-11-30')).toBe('11月30日–12月4日')
  })
})

describe('neighbour and nextPending: moving along the queue', () => {
  const order = queueOrder(
    groupByWeek(
      [
        review({ cadre_id: 'a', cadre_name: '艾一' }),
        review({ cadre_id: 'b', cadre_name: '白二', status: 'done', verdict: 'adequate' }),
        review({ cadre_id: 'c', cadre_name: '陈三' }),
        review({ cadre_id: 'd', cadre_name: '丁四' }),
      ],
      '2026-12-01',
    ),
  )

  it('given a member in the middle, when stepping, then j and k reach the rows after and before', () => {
    expect(order.map((r) => r.cadre_id)).toEqual(['a', 'b', 'c', 'd'])
    expect(neighbour(order, '2026-11-30|b', 1)?.cadre_id).toBe('c')
    expect(neighbour(order, '2026-11-30|b', -1)?.cadre_id).toBe('a')
  })

  it('given the first or last member, when stepping past the end, then there is nobody', () => {
    expect(neighbour(order, '2026-11-30|a', -1)).toBeNull()
    expect(neighbour(order, '2026-11-30|d', 1)).toBeNull()
    expect(neighbour(order, '2026-11-30|zz', 1)).toBeNull()
  })

  it('given a verdict just given, when asking for the next member waiting, then reviewed ones are skipped', () => {
    expect(nextPending(order, '2026-11-30|a')?.cadre_id).toBe('c')
  })

  it('given the last member, when asking for the next one waiting, then the queue goes round to the start', () => {
    expect(nextPending(order, '2026-11-30|d')?.cadre_id).toBe('a')
  })

  it('given verdicts queued on this device, when asking for the next one waiting, then those are skipped too', () => {
    expect(nextPending(order, '2026-11-30|a', new Set(['2026-11-30|c']))?.cadre_id).toBe('d')
  })

  it('given nobody else waiting, when asking for the next one, then there is none', () => {
    const one = [review({ cadre_id: 'a' }), review({ cadre_id: 'b', status: 'done' })]

    expect(nextPending(one, '2026-11-30|a')).toBeNull()
  })
})
