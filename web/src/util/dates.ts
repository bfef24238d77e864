// Dates as the API sends them (YYYY-MM-DD, Asia/Shanghai's calendar) and as people read them.
// Never the phone's clock or time zone: "today" comes from GET /me. Date objects here are only
// ever built at UTC midnight from the ISO parts, so the weekday cannot shift with the zone.

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

function parts(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) throw new Error(`not a date: ${iso}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

function utc(iso: string): Date {
  const [y, mo, d] = parts(iso)
  return new Date(Date.UTC(y, mo - 1, d))
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(isoDate: string): number {
  return utc(isoDate).getUTCDay()
}

/** 2026年12月1日 星期二 */
export function longDate(isoDate: string): string {
  const [y, m, d] = parts(isoDate)
  return `${y}年${m}月${d}日 ${WEEKDAYS[weekday(isoDate)]}`
}

/** 12月1日 */
export function shortDate(isoDate: string): string {
  const [, m, d] = parts(isoDate)
  return `${m}月${d}日`
}

/** 2026年12月 */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return `${y}年${m}月`
}

/** 2026年上半年 for 2026-H1 */
export function halfLabel(half: string): string {
  const [y, h] = half.split('-')
  return `${y}年${h === 'H1' ? '上' : '下'}半年`
}

export function addDays(isoDate: string, days: number): string {
  const date = utc(isoDate)
  date.setUTCDate(date.getUTCDate() + days)
  return iso(date)
}

export function monthOf(isoDate: string): string {
  return isoDate.slice(0, 7)
}

export function halfOf(isoDate: string): string {
  return `${isoDate.slice(0, 4)}-${Number(isoDate.slice(5, 7)) <= 6 ? 'H1' : 'H2'}`
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const total = y * 12 + (m - 1) + n
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`
}

/** Every date of a month, in order. */
export function daysOfMonth(month: string): string[] {
  const first = `${month}-01`
  const days: string[] = []
  for (let d = first; d.startsWith(month); d = addDays(d, 1)) days.push(d)
  return days
}

/** The Monday of the week of a date. */
export function weekStart(isoDate: string): string {
  return addDays(isoDate, -((weekday(isoDate) + 6) % 7))
}

/** A server timestamp (ISO with offset) shown in Shanghai time: 2026年12月1日 18:05 */
export function dateTime(timestamp: string): string {
  const date = new Date(timestamp)
  if (Number.isNaN(date.getTime())) return timestamp
  const shanghai = new Date(date.getTime() + 8 * 3600_000)
  const day = shanghai.toISOString().slice(0, 10)
  const [, m, d] = parts(day)
  const y = day.slice(0, 4)
  return `${y}年${m}月${d}日 ${shanghai.toISOString().slice(11, 16)}`
}

/**
 * The date in Asia/Shanghai at an instant, YYYY-MM-DD. Only for guesses made ahead of GET /me (a
 * prefetch): what the app shows as today is always /me's.
 */
export function shanghaiDate(at: Date): string {
  const shifted = new Date(at.getTime() + 8 * 3600_000) // China keeps no summer time
  return iso(shifted)
}
