import { describe, expect, it } from 'vitest'

import { filenameOf } from '@/api/client'
import {
  GRADES,
  addQuarters,
  countsText,
  defaultQuarter,
  evaluationBody,
  figureGroups,
  firstDayOf,
  gradeKey,
  gradedCount,
  hasBegun,
  isQuarter,
  quarterLabel,
  quarterOf,
} from '@/util/grading'
import { CASE_KIND_LABELS, FINDING_LABELS, GRADE_LABELS, VERDICT_LABELS } from '@/util/labels'

describe('quarters are read from their parts, never the phone clock', () => {
  it('given a day, when its quarter is asked, then the months fall in threes', () => {
    expect(quarterOf('2026-01-01')).toBe('2026-Q1')
    expect(quarterOf('2026-03-31')).toBe('2026-Q1')
    expect(quarterOf('2026-04-01')).toBe('2026-Q2')
    expect(quarterOf('2026-09-30')).toBe('2026-Q3')
    expect(quarterOf('2026-12-31')).toBe('2026-Q4')
  })
  it('given a quarter, when stepped, then it crosses year ends both ways', () => {
    expect(addQuarters('2026-Q4', 1)).toBe('2027-Q1')
    expect(addQuarters('2026-Q1', -1)).toBe('2025-Q4')
    expect(addQuarters('2026-Q2', -6)).toBe('2024-Q4')
    expect(addQuarters('2026-Q3', 0)).toBe('2026-Q3')
  })
  it('names a quarter as the server does and knows its first day', () => {
    expect(quarterLabel('2026-Q3')).toBe('2026年第三季度')
    expect(quarterLabel('2027-Q1')).toBe('2027年第一季度')
    expect(firstDayOf('2026-Q4')).toBe('2026-10-01')
  })
  it('accepts only YYYY-Qn with n in 1..4', () => {
    expect(isQuarter('2026-Q4')).toBe(true)
    for (const bad of ['2026-Q5', '2026-Q0', '2026q1', '2026-Q1 ', undefined, ['2026-Q1']]) expect(isQuarter(bad)).toBe(false)
    expect(() => quarterLabel('2026-Q5')).toThrow()
  })
})

describe('the screen opens on the last quarter that has ended', () => {
  it('given any day of a quarter, then the quarter before it is the default', () => {
    expect(defaultQuarter('2026-10-01')).toBe('2026-Q3')
    expect(defaultQuarter('2026-12-31')).toBe('2026-Q3')
    expect(defaultQuarter('2027-02-10')).toBe('2026-Q4')
  })
  it('given today, a quarter that has not begun cannot be opened but the one under way can', () => {
    expect(hasBegun('2026-Q4', '2026-10-01')).toBe(true)
    expect(hasBegun('2027-Q1', '2026-12-31')).toBe(false)
    expect(hasBegun('2026-Q3', '2026-10-01')).toBe(true)
  })
})

describe('grades and counts are worded as the server words them', () => {
  it('offers the four grades in their fixed order', () => {
    expect(GRADES.map((g) => g.text)).toEqual(['优秀', '良好', '一般', '较差'])
    expect(GRADES.map((g) => g.value)).toEqual(['excellent', 'good', 'fair', 'poor'])
    expect(GRADE_LABELS.fair).toBe('一般')
  })
  it('mirrors the verdict, finding and case labels of shared/worklog/labels.py', () => {
    expect(VERDICT_LABELS).toEqual({ adequate: '合格', perfunctory: '敷衍应付', suspected_falsification: '涉嫌造假' })
    expect(FINDING_LABELS).toEqual({ verified: '属实', discrepancy: '不符', falsified: '造假' })
    expect(CASE_KIND_LABELS).toEqual({ reminder_talk: '提醒谈话', accountability: '问责' })
  })
  it('given a cadre’s counts, then every code is listed in order, a missing one as 0', () => {
    const groups = figureGroups({
      verdicts: { adequate: 3, perfunctory: 1, suspected_falsification: 0 },
      findings: { verified: 0, discrepancy: 2, falsified: 0 },
      cases: { reminder_talk: 1 } as never,
    })
    expect(countsText(groups.verdicts)).toBe('合格 3、敷衍应付 1、涉嫌造假 0')
    expect(countsText(groups.findings)).toBe('属实 0、不符 2、造假 0')
    expect(countsText(groups.cases)).toBe('提醒谈话 1、问责 0')
  })
  it('counts who is graded so far without ranking anyone', () => {
    expect(gradedCount([{ grade: 'good' }, { grade: null }, { grade: 'poor' }])).toEqual({ graded: 2, total: 3 })
  })
})

describe('the grade form sends what was typed', () => {
  it('keeps the comment as typed, line breaks and all (the server trims its ends)', () => {
    expect(evaluationBody('good', ' 记录及时\n内容具体 ')).toEqual({ grade: 'good', comment: ' 记录及时\n内容具体 ' })
  })
  it('queues one save per cadre and quarter', () => {
    expect(gradeKey('2026-Q3', 'c0001')).toBe('2026-Q3/c0001')
    expect(gradeKey('2026-Q3', 'c0001')).not.toBe(gradeKey('2026-Q4', 'c0001'))
  })
})

describe('a download keeps the name the server gave it', () => {
  it('given a quoted filename, then it is used', () => {
    expect(filenameOf('attachment; filename="evaluation-jyj-2026-Q3.xlsx"', 'x')).toBe('evaluation-jyj-2026-Q3.xlsx')
  })
  it('given an RFC 5987 name as well, then the UTF-8 one wins', () => {
    expect(filenameOf(`attachment; filename="sheet.xlsx"; filename*=UTF-8''%E8%80%83%E8%AF%84%E8%A1%A8.xlsx`, 'x')).toBe('考评表.xlsx')
  })
  it('given a bare token, then it is used', () => {
    expect(filenameOf('attachment; filename=report.xlsx', 'x')).toBe('report.xlsx')
  })
  it('given a path in the name, then only its last part is kept', () => {
    expect(filenameOf('attachment; filename="../../etc/passwd"', 'x')).toBe('passwd')
    expect(filenameOf('attachment; filename="a\\\\b.xlsx"', 'x')).toBe('b.xlsx')
  })
  it('given no header or no name, then the fallback', () => {
    expect(filenameOf(null, 'sheet')).toBe('sheet')
    expect(filenameOf('attachment', 'sheet')).toBe('sheet')
    expect(filenameOf('attachment; filename=""', 'sheet')).toBe('sheet')
  })
})
