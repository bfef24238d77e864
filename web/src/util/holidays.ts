// A year's official holiday schedule as an admin types it from the State Council's notice: the
// days off and the 调休 working weekend days, each a list of dates or date ranges. Parsed and
// checked here before anything is sent; the server checks the same again (PUT /admin/calendar).

import { addDays, shortDate, weekday } from './dates'

/** The API's limits (ScheduleIn): at most 60 holidays and 30 make-up working days. */
export const MAX_HOLIDAYS = 60
export const MAX_WORKDAYS = 30
/** The longest range one line may give (the longest official break is 8–9 days; a month is a typo). */
export const MAX_RANGE_DAYS = 31
export const MIN_YEAR = 2000
export const MAX_YEAR = 2099

export interface DateList {
  /** every date given, YYYY-MM-DD, in order, each once */
  dates: string[]
  /** what could not be read, one sentence each, naming what was typed */
  problems: string[]
}

// Between dates: line breaks, commas, 、, semicolons, spaces and 。 (a pasted sentence's end).
const SEPARATORS = /[\n\r,，、;；。\s]+/
// A range's dash; an ASCII hyphen is not one (it is inside 2027-01-01).
const RANGE = /\s*(?:至|到|~|～|—|–|－)\s*/g
// Notes in brackets, as the notice writes them: 1月1日（星期四）, 2月15日（农历腊月二十八）.
const NOTE = /[（(][^）)]*[）)]/g

const FULL = /^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$/
const MONTH_DAY = /^(\d{1,2})\s*(?:月|\/)\s*(\d{1,2})\s*日?$/
const DAY_ONLY = /^(\d{1,2})\s*日?$/

export const DATE_FORMS_HINT = '每行或用逗号隔开写一个日期或日期段，如 2027-01-01、1月1日、2月15日至23日'

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** The ISO date of y-m-d, or null when there is no such day (2月30日). */
export function isoDate(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null
  return `${y}-${pad(m)}-${pad(d)}`
}

type Read = { date: string } | { problem: string } | null

/** One date as typed; ``month`` is the month a bare day (a range's end: 至23日) belongs to. */
function readDate(text: string, year: number, month?: number): Read {
  let y = year
  let m: number
  let d: number
  let match = FULL.exec(text)
  if (match) {
    y = Number(match[1])
    m = Number(match[2])
    d = Number(match[3])
  } else if ((match = MONTH_DAY.exec(text))) {
    m = Number(match[1])
    d = Number(match[2])
  } else if (month !== undefined && (match = DAY_ONLY.exec(text))) {
    m = month
    d = Number(match[1])
  } else {
    return null
  }
  const date = isoDate(y, m, d)
  if (date === null) return { problem: `「${text}」不是有效日期` }
  if (y !== year) return { problem: `「${text}」不在 ${year} 年内，请只填写 ${year} 年的日期` }
  return { date }
}

function unreadable(text: string): string {
  return `无法识别「${text}」：${DATE_FORMS_HINT}`
}

/**
 * Every date of ``text`` for ``year``: single dates (2027-01-01, 2027/1/1, 2027年1月1日, 1月1日,
 * 1/1) and ranges (1月28日至2月3日, 2月15日至23日, 2027-02-15~2027-02-23), separated by line
 * breaks, commas, 、 or spaces; notes in brackets (（星期四）) are ignored. Whatever else is there
 * is named in ``problems``; nothing is dropped silently.
 */
export function parseDateList(text: string, year: number): DateList {
  const found = new Set<string>()
  const problems: string[] = []
  const cleaned = text.replace(NOTE, ' ').replace(RANGE, '至')
  for (const token of cleaned.split(SEPARATORS)) {
    if (!token) continue
    const [first, last, ...rest] = token.split('至')
    if (rest.length || first === '' || last === '') {
      problems.push(unreadable(token))
      continue
    }
    const start = readDate(first as string, year)
    if (start === null) {
      problems.push(unreadable(token))
      continue
    }
    if ('problem' in start) {
      problems.push(start.problem)
      continue
    }
    if (last === undefined) {
      found.add(start.date)
      continue
    }
    const end = readDate(last, year, Number(start.date.slice(5, 7)))
    if (end === null) {
      problems.push(unreadable(token))
      continue
    }
    if ('problem' in end) {
      problems.push(end.problem)
      continue
    }
    if (end.date < start.date) {
      problems.push(`「${token}」的结束日期早于开始日期`)
      continue
    }
    const days: string[] = []
    for (let d = start.date; d <= end.date && days.length <= MAX_RANGE_DAYS; d = addDays(d, 1)) days.push(d)
    if (days.length > MAX_RANGE_DAYS) {
      problems.push(`「${token}」超过 ${MAX_RANGE_DAYS} 天，请核对是否写错`)
      continue
    }
    for (const d of days) found.add(d)
  }
  return { dates: [...found].sort(), problems }
}

function isWeekend(date: string): boolean {
  const w = weekday(date)
  return w === 0 || w === 6
}

function listed(dates: string[]): string {
  const shown = dates.slice(0, 10).map(shortDate).join('、')
  return dates.length > 10 ? `${shown} 等 ${dates.length} 天` : shown
}

export interface ScheduleCheck {
  /** what stops the schedule from being previewed or loaded */
  problems: string[]
  /** what is allowed but worth a second look */
  notes: string[]
}

/** The two lists together: the API's rules (no date in both, the limits) and an admin's slips. */
export function checkSchedule(holidays: string[], workdays: string[]): ScheduleCheck {
  const problems: string[] = []
  const notes: string[] = []
  const both = holidays.filter((d) => workdays.includes(d))
  if (both.length) problems.push(`${listed(both)} 同时填在了放假和上班两栏，请只保留一处`)
  if (holidays.length > MAX_HOLIDAYS) problems.push(`放假日期共 ${holidays.length} 天，最多 ${MAX_HOLIDAYS} 天`)
  if (workdays.length > MAX_WORKDAYS) problems.push(`调休上班日期共 ${workdays.length} 天，最多 ${MAX_WORKDAYS} 天`)
  const weekdays = workdays.filter((d) => !isWeekend(d))
  if (weekdays.length) notes.push(`调休上班日通常是周六或周日；${listed(weekdays)} 本就是工作日，请核对`)
  return { problems, notes }
}

/** The year typed in the form, or a sentence saying what is wrong with it. */
export function readYear(text: string): { year: number } | { problem: string } {
  const t = text.trim()
  if (!/^\d{4}$/.test(t)) return { problem: '请填写四位数的年份，如 2027' }
  const year = Number(t)
  if (year < MIN_YEAR || year > MAX_YEAR) return { problem: `年份应在 ${MIN_YEAR} 至 ${MAX_YEAR} 年之间` }
  return { year }
}

/** Where a year's working days come from (CalendarYearOut.source), as an admin reads it. */
export const SOURCE_LABELS: Record<string, string> = {
  official: '官方安排（已载入）',
  library: '历法库推算（未载入官方安排）',
  provisional: '暂定：按周一至周五计算',
}

/** Short forms for a status tag. */
export const SOURCE_TAGS: Record<string, string> = {
  official: '官方',
  library: '历法库',
  provisional: '暂定',
}

/** 工作日 / 休息日 */
export function workingLabel(working: boolean): string {
  return working ? '工作日' : '休息日'
}

/** Why a year is in use (CalendarChange.in_use), as the server's own messages word it. */
export const IN_USE_LABELS: Record<string, string> = {
  schedule_loaded: '此前已载入过官方安排',
  days_passed: '该年度已有日期到来，提醒、点评和期限已按其工作日计算',
}

/** The years an admin keeps an eye on: last year to two years ahead of today. */
export function watchedYears(today: string): number[] {
  const year = Number(today.slice(0, 4))
  return [year - 1, year, year + 1, year + 2].filter((y) => y >= MIN_YEAR && y <= MAX_YEAR)
}
