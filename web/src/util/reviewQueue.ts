// The reviewer's queue: which weeks are waiting, which are overdue, in what order to work through
// them. Pure functions of GET /reviews and "today" from GET /me (never the device's clock).

import type { ReviewOut } from '@/api/types'
import { addDays, shortDate } from './dates'

export type QueueReview = Pick<ReviewOut, 'week_start' | 'week_end' | 'due' | 'cadre_id' | 'cadre_name' | 'status' | 'overdue_marked_at'>

/** The key of one assignment (also the outbox period of its verdict): `2026-11-30|c0001`. */
export function reviewKey(r: Pick<ReviewOut, 'week_start' | 'cadre_id'>): string {
  return `${r.week_start}|${r.cadre_id}`
}

/** Still waiting for a verdict (open, or overdue). */
export function isPending(r: Pick<ReviewOut, 'status'>): boolean {
  return r.status !== 'done'
}

/**
 * Overdue: no verdict yet, and either past its due date as of `today` (the due day itself is still
 * in time), or already marked overdue by the Monday run. A week with its verdict is not overdue
 * any more (a late verdict is shown as such, from `late`).
 */
export function isOverdue(r: Pick<ReviewOut, 'status' | 'due' | 'overdue_marked_at'>, today: string): boolean {
  if (!isPending(r)) return false
  return r.status === 'overdue' || !!r.overdue_marked_at || today > r.due
}

export interface QueueCounts {
  pending: number
  overdue: number
}

export function queueCounts(reviews: readonly QueueReview[], today: string): QueueCounts {
  return {
    pending: reviews.filter(isPending).length,
    overdue: reviews.filter((r) => isOverdue(r, today)).length,
  }
}

export interface WeekGroup<R extends QueueReview = ReviewOut> {
  weekStart: string
  weekEnd: string
  reviews: R[]
  pending: number
  overdue: number
}

const collator = new Intl.Collator('zh-Hans-CN')

/** Members in a stable order that does not move when a verdict is given: by name, then id. */
function byName(x: QueueReview, y: QueueReview): number {
  return collator.compare(x.cadre_name, y.cadre_name) || (x.cadre_id < y.cadre_id ? -1 : x.cadre_id > y.cadre_id ? 1 : 0)
}

/** The queue grouped by week, newest week first; within a week, members by name. */
export function groupByWeek<R extends QueueReview>(reviews: readonly R[], today: string): WeekGroup<R>[] {
  const weeks = new Map<string, R[]>()
  for (const r of reviews) {
    const list = weeks.get(r.week_start) ?? []
    list.push(r)
    weeks.set(r.week_start, list)
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([weekStart, list]) => {
      const sorted = [...list].sort(byName)
      return {
        weekStart,
        weekEnd: sorted[0]?.week_end ?? addDays(weekStart, 6),
        reviews: sorted,
        ...queueCounts(sorted, today),
      }
    })
}

/** Every assignment in the order the queue shows them (what j/k walk through). */
export function queueOrder<R extends QueueReview>(groups: readonly WeekGroup<R>[]): R[] {
  return groups.flatMap((g) => g.reviews)
}

export type QueueFilter = 'pending' | 'done' | 'all'

export function filterQueue<R extends QueueReview>(reviews: readonly R[], filter: QueueFilter): R[] {
  if (filter === 'all') return [...reviews]
  return reviews.filter((r) => (filter === 'pending' ? isPending(r) : !isPending(r)))
}

function indexOf(order: readonly QueueReview[], key: string): number {
  return order.findIndex((r) => reviewKey(r) === key)
}

/** The member before (-1) or after (+1) the current one in the queue; null at either end. */
export function neighbour<R extends QueueReview>(order: readonly R[], key: string, step: 1 | -1): R | null {
  const at = indexOf(order, key)
  if (at < 0) return null
  return order[at + step] ?? null
}

/**
 * The next member still waiting for a verdict after the current one, going round to the start of
 * the queue; never the current one. `skip`: keys whose verdict is already given or queued here.
 */
export function nextPending<R extends QueueReview>(order: readonly R[], key: string, skip: ReadonlySet<string> = new Set()): R | null {
  const at = indexOf(order, key)
  for (let step = 1; step <= order.length; step++) {
    const r = order[(at + step) % order.length] as R
    const k = reviewKey(r)
    if (k !== key && isPending(r) && !skip.has(k)) return r
  }
  return null
}

/** The working week of an assignment as people read it: 12月1日–12月5日 (Monday to Friday). */
export function workWeekLabel(weekStart: string): string {
  return `${shortDate(weekStart)}–${shortDate(addDays(weekStart, 4))}`
}
