import { describe, expect, it } from 'vitest'

import { checkSchedule, parseDateList, readYear, watchedYears } from '@/util/holidays'

describe('a list of dates typed from the State Council notice', () => {
  it('given dates one per line or separated by commas, then each is read in order, once', () => {
    expect(parseDateList('2027-01-01\n2027/2/8，2027年2月9日、2027.2.10, 2027-01-01', 2027)).toEqual({
      dates: ['2027-01-01', '2027-02-08', '2027-02-09', '2027-02-10'],
      problems: [],
    })
  })
  it('given a month and day without the year, then the form year is taken', () => {
    expect(parseDateList('1月1日 10/1', 2027).dates).toEqual(['2027-01-01', '2027-10-01'])
  })
  it('given a range as the notice writes it, then every day of it is listed', () => {
    expect(parseDateList('2月15日至23日', 2026).dates).toHaveLength(9)
    expect(parseDateList('1月31日至2月2日', 2027).dates).toEqual(['2027-01-31', '2027-02-01', '2027-02-02'])
    expect(parseDateList('2027-10-01~2027-10-03', 2027).dates).toEqual(['2027-10-01', '2027-10-02', '2027-10-03'])
    expect(parseDateList('5月1日 — 5月2日', 2027).dates).toEqual(['2027-05-01', '2027-05-02'])
  })
  it('given notes in brackets, then they are ignored', () => {
    expect(parseDateList('2月14日（星期六）、2月28日(星期六)', 2026)).toEqual({
      dates: ['2026-02-14', '2026-02-28'],
      problems: [],
    })
  })
  it('given something that is not a date, then it is named and the readable dates are kept', () => {
    const read = parseDateList('1月1日\n春节\n2027-13-01\n2月30日', 2027)
    expect(read.dates).toEqual(['2027-01-01'])
    expect(read.problems).toHaveLength(3)
    expect(read.problems[0]).toContain('「春节」')
    expect(read.problems[1]).toContain('「2027-13-01」不是有效日期')
    expect(read.problems[2]).toContain('「2月30日」不是有效日期')
  })
  it('given a date of another year, then it is refused naming the form year', () => {
    expect(parseDateList('2028-01-01', 2027)).toEqual({
      dates: [],
      problems: ['「2028-01-01」不在 2027 年内，请只填写 2027 年的日期'],
    })
  })
  it('given a range backwards or over a month long, then it is refused', () => {
    expect(parseDateList('2月9日至2月1日', 2027).problems[0]).toContain('结束日期早于开始日期')
    expect(parseDateList('1月1日至3月1日', 2027).problems[0]).toContain('超过 31 天')
  })
  it('given blank text, then nothing and no problem', () => {
    expect(parseDateList(' \n ,, ', 2027)).toEqual({ dates: [], problems: [] })
  })
})

describe('the two lists together', () => {
  it('given a date in both lists, then it is a problem naming it', () => {
    expect(checkSchedule(['2027-01-01'], ['2027-01-01']).problems).toEqual(['1月1日 同时填在了放假和上班两栏，请只保留一处'])
  })
  it('given more than the API takes, then the count is named', () => {
    const many = Array.from({ length: 31 }, (_, i) => `2027-01-${String(i + 1).padStart(2, '0')}`)
    expect(checkSchedule([], many).problems).toEqual(['调休上班日期共 31 天，最多 30 天'])
  })
  it('given a make-up working day on a weekday, then a note (not a problem) asks to check it', () => {
    const check = checkSchedule(['2027-01-01'], ['2027-02-06', '2027-02-08'])
    expect(check.problems).toEqual([])
    expect(check.notes).toEqual(['调休上班日通常是周六或周日；2月8日 本就是工作日，请核对'])
  })
})

describe('the year of the form and the years watched', () => {
  it('given four digits from 2000 to 2099, then it is the year; else a sentence', () => {
    expect(readYear(' 2027 ')).toEqual({ year: 2027 })
    expect(readYear('27')).toHaveProperty('problem')
    expect(readYear('2100')).toHaveProperty('problem')
  })
  it('given today, then last year to two years ahead are watched', () => {
    expect(watchedYears('2026-11-20')).toEqual([2025, 2026, 2027, 2028])
  })
})
