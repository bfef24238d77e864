// One member's week as the reviewer reads it: which days to show, what each day holds, and the
// signals drawn onto those days (the highlighted passages, the marks beside a day).

import type { EntryOut, ReviewDetail, ReviewPlanItem, Signal } from '@/api/types'
import { addDays, dateTime, monthOf, shortDate, weekday } from './dates'
import { commonPassagesOfParts, type TextRange } from './similar'

export type PlanItemRef = ReviewPlanItem

/**
 * The days of a week to show: Monday to Friday, and a Saturday or Sunday only when something was
 * written for it (a 调休 working day). `working` may say better, once the working calendar is
 * known: then exactly its working days, plus any other day with an entry.
 */
export function weekDays(weekStart: string, entries: readonly Pick<EntryOut, 'date'>[], working?: (day: string) => boolean): string[] {
  const written = new Set(entries.map((e) => e.date))
  const days: string[] = []
  for (let i = 0; i < 7; i++) {
    const day = addDays(weekStart, i)
    const isWorking = working ? working(day) : weekday(day) >= 1 && weekday(day) <= 5
    if (isWorking || written.has(day)) days.push(day)
  }
  return days
}

export type DayState = 'written' | 'missing' | 'future'

export interface DayMark {
  text: string
  icon: string
}

export interface DayView {
  date: string
  entry: EntryOut | null
  state: DayState
  /** Highlighted passages, per item of the entry. */
  marks: TextRange[][]
  /** Marks beside the day: 补记, 内容过少, 集中补记, similar days … */
  badges: DayMark[]
  /** What the highlighted passages are (one line per near-duplicate day). */
  notes: string[]
}

function itemsOf(entry: EntryOut | undefined | null): string[] {
  return entry ? entry.items.map((i) => i.content) : []
}

function addMarks(into: TextRange[][], more: TextRange[][]): void {
  more.forEach((ranges, i) => {
    into[i] = [...(into[i] ?? []), ...ranges]
  })
}

/** The marks every written day carries: 补记 with when it was written, 已修订 with the last save. */
export function entryBadges(entry: Pick<EntryOut, 'late' | 'amended' | 'first_saved_at' | 'saved_at'>): DayMark[] {
  const badges: DayMark[] = []
  if (entry.late) badges.push({ text: `补记：写于 ${dateTime(entry.first_saved_at)}`, icon: 'underway-o' })
  if (entry.amended) badges.push({ text: `已修订：最后修改于 ${dateTime(entry.saved_at)}`, icon: 'edit' })
  return badges
}

/** The key of a plan item as an entry cites it: entries cite the plan of their own month. */
export function planKey(month: string, id: string): string {
  return `${month}|${id}`
}

export function planIndex(items: readonly PlanItemRef[]): Map<string, PlanItemRef> {
  return new Map(items.map((p) => [planKey(p.month, p.id), p]))
}

/** The plan item an entry's item cites, if the week's plans hold it. */
export function citedPlanItem(index: ReadonlyMap<string, PlanItemRef>, date: string, planItemId: string | null | undefined): PlanItemRef | null {
  return planItemId ? (index.get(planKey(monthOf(date), planItemId)) ?? null) : null
}

/**
 * Each shown day with its entry, state and signals. Near-duplicate days are highlighted in both
 * days (the passages they share); near-empty, back-filled and colleague-similar days get a mark.
 */
export function dayViews(detail: Pick<ReviewDetail, 'review' | 'entries' | 'signals'>, today: string, working?: (day: string) => boolean): DayView[] {
  const byDate = new Map(detail.entries.map((e) => [e.date, e]))
  const views = new Map<string, DayView>(
    weekDays(detail.review.week_start, detail.entries, working).map((date) => {
      const entry = byDate.get(date) ?? null
      const state: DayState = entry ? 'written' : today && date > today ? 'future' : 'missing'
      const badges = entry ? entryBadges(entry) : []
      return [date, { date, entry, state, marks: itemsOf(entry).map(() => []), badges, notes: [] }]
    }),
  )

  for (const signal of detail.signals) applySignal(signal, views, byDate)
  return [...views.values()]
}

function applySignal(signal: Signal, views: Map<string, DayView>, byDate: Map<string, EntryOut>): void {
  const day = signal.days[0] as string
  switch (signal.kind) {
    case 'near_duplicate_days': {
      const other = signal.other_day
      const later = views.get(day)
      const earlier = other ? views.get(other) : undefined
      if (!other || !later) return
      const found = commonPassagesOfParts(itemsOf(byDate.get(day)), itemsOf(byDate.get(other)))
      addMarks(later.marks, found.a)
      later.badges.push({ text: `与${shortDate(other)}高度相似`, icon: 'description' })
      later.notes.push(`标记部分与${shortDate(other)}的日志相同`)
      if (earlier) {
        addMarks(earlier.marks, found.b)
        earlier.badges.push({ text: `与${shortDate(day)}高度相似`, icon: 'description' })
        earlier.notes.push(`标记部分与${shortDate(day)}的日志相同`)
      }
      return
    }
    case 'near_empty':
      for (const d of signal.days) views.get(d)?.badges.push({ text: '内容过少', icon: 'warning-o' })
      return
    case 'bulk_backfill':
      for (const d of signal.days) {
        const entry = byDate.get(d)
        // A late day already shows when it was written; say it here only for the others.
        const when = entry && !entry.late ? `：写于 ${dateTime(entry.first_saved_at)}` : ''
        views.get(d)?.badges.push({ text: `集中补记${when}`, icon: 'underway-o' })
      }
      return
    case 'near_duplicate_colleagues':
      for (const d of signal.days) views.get(d)?.badges.push({ text: '与同单位同事的日志高度相似', icon: 'friends-o' })
      return
  }
}

/** How a signal names its similar colleague: by name when the reviewer's queue knows them. */
export function colleagueText(signal: Pick<Signal, 'other_cadre_id' | 'other_day' | 'score'>, nameOf: (cadreId: string) => string | undefined): string {
  if (!signal.other_cadre_id) return ''
  const who = nameOf(signal.other_cadre_id) ?? `人员编号 ${signal.other_cadre_id}`
  const when = signal.other_day ? ` ${shortDate(signal.other_day)}` : ''
  const score = typeof signal.score === 'number' ? `（相似度 ${signal.score.toFixed(2)}）` : ''
  return `相似的日志：${who}${when}的日志${score}`
}
