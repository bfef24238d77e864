// The log calendar's one rule: what a day of the month shows. GET /me/calendar says what the
// working calendar and the obligation rule make of a day (working, kind, owed, locked, leave);
// GET /entries says whether an entry was saved and whether it was late; GET /leaves names the kind
// of leave. This module combines the three into one state per day, with its words and icon, so the
// grid, its legend and the screen reader all say the same thing. Pure: no clock, no network.

import type { EntryOut, LeaveOut, MeCalendar, MeCalendarDay } from '@/api/types'
import { daysOfMonth, shortDate, weekday } from './dates'
import { LEAVE_KIND_LABELS, label } from './labels'

export type DayStateCode =
  /** an entry was saved on time (已填) */
  | 'filed'
  /** an entry was saved after its due date (补记) */
  | 'late'
  /** owed, past, and no entry (未填) */
  | 'missing'
  /** today, owed, no entry yet (今日待填) */
  | 'today'
  /** registered leave covers the day (请假) */
  | 'leave'
  /** a weekend or holiday off (休息日) */
  | 'rest'
  /** a past working day nothing was owed for, e.g. before joining (无需填写) */
  | 'not_owed'
  /** a working day still to come: shown plain */
  | 'future'

interface StateWords {
  /** the full words, for the legend, the list and the screen reader */
  label: string
  /** what fits in a 44 px cell */
  short: string
  /** a Vant icon name; '' for none (the short text is the marker) */
  icon: string
}

export const STATE_WORDS: Record<DayStateCode, StateWords> = {
  filed: { label: '已填', short: '已填', icon: 'passed' },
  late: { label: '补记', short: '补记', icon: 'clock-o' },
  missing: { label: '未填', short: '未填', icon: 'warning-o' },
  today: { label: '今日待填', short: '待填', icon: 'edit' },
  leave: { label: '请假', short: '请假', icon: 'flag-o' },
  rest: { label: '休息日', short: '休息', icon: '' },
  not_owed: { label: '无需填写', short: '无需', icon: '' },
  future: { label: '尚未到来', short: '', icon: '' },
}

/** Marks shown in addition to the state. */
export const MARK_WORDS = {
  adjusted: { label: '调休上班日', short: '班' },
  provisional: { label: '待定', short: '待定' },
} as const

export interface DayState {
  date: string
  code: DayStateCode
  label: string
  short: string
  icon: string
  /** the day's calendar is provisional (the year's holidays not loaded, Mon–Fri assumed) */
  provisional: boolean
  /** a working Saturday or Sunday (调休上班日) */
  adjusted: boolean
  isToday: boolean
  /** what else to know: 还可补记至12月8日, 已超过补记期限, 节假日, the kind of leave… ('' for nothing) */
  note: string
  /** whether the day opens its day screen (days to come do not: nothing can be written for them yet) */
  link: boolean
  /** for an owed day not yet locked: the last day its entry can still be saved */
  lastDay: string | null
}

/** What GET /entries tells about one day (only whether it was late matters here). */
export type EntryFact = Pick<EntryOut, 'late'>
/** What GET /leaves tells about one day (its kind). */
export type LeaveFact = Pick<LeaveOut, 'kind'>

const WEEKDAY_NAMES = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

/**
 * The state of one calendar day. Precedence: a saved entry is what the day shows, whatever else
 * is true of it (an entry filed on a leave day or a rest day is 已填); then leave; then a day off;
 * then a day still to come is plain; then today owed is 今日待填 and an earlier owed day 未填.
 */
export function dayState(day: MeCalendarDay, today: string, entry?: EntryFact | null, leave?: LeaveFact | null): DayState {
  const isToday = day.date === today
  const future = day.date > today
  const base = {
    date: day.date,
    provisional: day.provisional,
    adjusted: day.kind === 'adjusted_workday',
    isToday,
    link: !future,
    lastDay: day.owed && !day.locked ? day.last_day : null,
  }
  const state = (code: DayStateCode, note = ''): DayState => ({ ...base, code, ...STATE_WORDS[code], note })

  if (entry && !future) return entry.late ? state('late', '逾期后补记') : state('filed')
  if (day.on_leave || leave) return state('leave', leave ? label(LEAVE_KIND_LABELS, leave.kind) : '')
  if (!day.working) return state('rest', day.kind === 'holiday' ? '节假日' : '')
  if (future) return state('future')
  if (day.owed) {
    if (isToday) return state('today', '请于今日填写')
    if (day.locked) return state('missing', '已超过补记期限')
    return state('missing', day.last_day ? `还可补记至${shortDate(day.last_day)}` : '')
  }
  return state('not_owed', day.in_post === false ? '不在岗' : '')
}

/** The leave (if any) that covers a date. */
export function leaveOn(leaves: readonly LeaveOut[], date: string): LeaveOut | undefined {
  return leaves.find((l) => l.from <= date && date <= l.to)
}

/** Every day of the calendar's month with its state. */
export function monthStates(calendar: MeCalendar, entries: readonly EntryOut[], leaves: readonly LeaveOut[]): DayState[] {
  const byDate = new Map(entries.map((e) => [e.date, e]))
  return calendar.days.map((day) => dayState(day, calendar.today, byDate.get(day.date), leaveOn(leaves, day.date)))
}

/** 12月1日 星期二 */
export function dayName(date: string): string {
  return `${shortDate(date)} ${WEEKDAY_NAMES[weekday(date)]}`
}

/** What a screen reader says for a cell: 12月1日 星期二 未填，还可补记至12月8日，调休上班日，待定，今天 */
export function ariaLabel(s: DayState): string {
  const parts = [s.label + (s.note ? `，${s.note}` : '')]
  if (s.adjusted) parts.push(MARK_WORDS.adjusted.label)
  if (s.provisional) parts.push(MARK_WORDS.provisional.label)
  if (s.isToday) parts.push('今天')
  return `${dayName(s.date)} ${parts.join('，')}`
}

/** The month as weeks of seven, Monday first; days of other months are null. */
export function monthGrid(month: string): (string | null)[][] {
  const days = daysOfMonth(month)
  const first = days[0] as string
  const lead = (weekday(first) + 6) % 7
  const cells: (string | null)[] = [...Array<null>(lead).fill(null), ...days]
  while (cells.length % 7) cells.push(null)
  const weeks: (string | null)[][] = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

/** Owed days with no entry that can still be written, oldest first: what to do now. */
export function stillWritable(states: readonly DayState[]): DayState[] {
  return states.filter((s) => s.code === 'missing' && s.lastDay !== null)
}

/** The calendar's range for GET /entries and GET /leaves. */
export function monthRange(month: string): { from: string; to: string } {
  const days = daysOfMonth(month)
  return { from: days[0] as string, to: days[days.length - 1] as string }
}

/** The legend under the grid, in the order people meet the states. */
export const LEGEND: { code: DayStateCode | 'adjusted' | 'provisional'; label: string; short: string; icon: string; text: string }[] = [
  { code: 'filed', ...STATE_WORDS.filed, text: '按时填写了工作日志' },
  { code: 'late', ...STATE_WORDS.late, text: '过了当日后补记' },
  { code: 'missing', ...STATE_WORDS.missing, text: '应填而未填，点开可补记（超过期限的不能再补）' },
  { code: 'today', ...STATE_WORDS.today, text: '今天的日志还没有填写' },
  { code: 'leave', ...STATE_WORDS.leave, text: '已登记请假，无需填写' },
  { code: 'rest', ...STATE_WORDS.rest, text: '周末或节假日，无需填写' },
  { code: 'adjusted', label: MARK_WORDS.adjusted.label, short: MARK_WORDS.adjusted.short, icon: '', text: '周末调休上班，需要填写' },
  { code: 'provisional', label: MARK_WORDS.provisional.label, short: MARK_WORDS.provisional.short, icon: '', text: '本年度节假日安排尚未载入，暂按周一至周五上班计算' },
]
