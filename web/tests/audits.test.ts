import { describe, expect, it } from 'vitest'

import type { AssignmentOut, FindingOut } from '@/api/types'
import {
  findingBody,
  findingErrors,
  findingPeriod,
  findingText,
  ledgerFiles,
  progressLabel,
  quarterLabel,
  recordedDays,
  resultCounts,
  verifyCommand,
  workByRound,
} from '@/util/audits'

function finding(day: string, result: FindingOut['result'] = 'verified'): FindingOut {
  return {
    round_id: 'R',
    cadre_id: 'c1',
    day,
    inspector_id: 'i1',
    result,
    result_text: '',
    note: '核对一致',
    evidence_ref: '',
    recorded_at: '2026-11-20T10:00:00+08:00',
    case_id: null,
  }
}

function assignment(round: string, cadre: string, days: string[], found: string[] = []): AssignmentOut {
  return {
    round_id: round,
    quarter: '2026-Q4',
    cadre_id: cadre,
    cadre_name: `干部${cadre}`,
    unit_id: 'u1',
    unit_name: '区教育局',
    entries: days,
    findings: found.map((d) => finding(d)),
  }
}

describe('labels', () => {
  it('given a result code, when worded, then the server’s wording is used and no code means 待核查', () => {
    expect(findingText('verified')).toBe('属实')
    expect(findingText('discrepancy')).toBe('不符')
    expect(findingText('falsified')).toBe('造假')
    expect(findingText('pending')).toBe('待核查')
    expect(findingText(null)).toBe('待核查')
    expect(findingText('unknown')).toBe('unknown')
  })

  it('given a quarter, when worded, then it reads as a Chinese quarter', () => {
    expect(quarterLabel('2026-Q3')).toBe('2026年第三季度')
    expect(quarterLabel('2027-Q1')).toBe('2027年第一季度')
  })

  it('given a round’s results, when summed up, then every result is named in order, zero included', () => {
    expect(resultCounts({ results: { verified: 3, falsified: 1 } })).toBe('属实 3 · 不符 0 · 造假 1')
  })
})

describe('progress', () => {
  it('given findings on some sampled days, when counted, then only distinct sampled days count', () => {
    const a = assignment('R', 'c1', ['2026-11-02', '2026-11-03', '2026-11-04'], ['2026-11-02', '2026-11-02', '2026-10-01'])
    expect(recordedDays(a)).toBe(1)
  })

  it('given assignments of two rounds, when grouped, then each round counts its cadres, days and findings', () => {
    const work = workByRound(
      [
        assignment('2026-Q3', 'c1', ['2026-09-01', '2026-09-02'], ['2026-09-01', '2026-09-02']),
        assignment('SPOT-2026-11-30-01', 'c2', ['2026-11-02', '2026-11-03', '2026-11-04'], ['2026-11-03']),
        assignment('2026-Q3', 'c3', ['2026-09-03'], []),
      ],
      ['SPOT-2026-11-30-01', '2026-Q3'],
    )
    expect(work.map((w) => [w.roundId, w.cadres, w.days, w.recorded, w.pending])).toEqual([
      ['SPOT-2026-11-30-01', 1, 3, 1, 2],
      ['2026-Q3', 2, 3, 2, 1],
    ])
  })

  it('given rounds missing from the known order, when grouped, then they come last, newest id first', () => {
    const work = workByRound([assignment('A', 'c1', ['2026-01-05']), assignment('B', 'c1', ['2026-01-05']), assignment('C', 'c1', ['2026-01-05'])], ['B'])
    expect(work.map((w) => w.roundId)).toEqual(['B', 'C', 'A'])
  })

  it('given how many are recorded, when worded, then the label says what is left, never by colour alone', () => {
    expect(progressLabel(2, 5)).toEqual({ text: '已核查 2 篇，待核查 3 篇', icon: 'clock-o', done: false })
    expect(progressLabel(5, 5)).toEqual({ text: '已全部核查（共 5 篇）', icon: 'passed', done: true })
    expect(progressLabel(0, 0).done).toBe(true)
  })
})

describe('the finding form', () => {
  it('given nothing chosen or written, when checked, then the result and the note are asked for', () => {
    const errors = findingErrors({ result: null, note: '  \n ', evidence_ref: '' })
    expect(errors.result).toContain('请选择核查结果')
    expect(errors.note).toBe('请填写核查情况')
    expect(errors.evidence_ref).toBeUndefined()
  })

  it('given a note over 2000 characters, when checked, then it says by how much (characters, not UTF-16 units)', () => {
    expect(findingErrors({ result: 'verified', note: '𠀀'.repeat(2000), evidence_ref: '' }).note).toBeUndefined()
    expect(findingErrors({ result: 'verified', note: '核'.repeat(2003), evidence_ref: '' }).note).toContain('已超出 3 字')
  })

  it('given an evidence reference on two lines or over 500, when checked, then it is refused', () => {
    expect(findingErrors({ result: 'verified', note: 'x', evidence_ref: 'A\nB' }).evidence_ref).toBe('证据编号只能写一行')
    expect(findingErrors({ result: 'verified', note: 'x', evidence_ref: 'a'.repeat(501) }).evidence_ref).toContain('500')
  })

  it('given a complete form, when sent, then the body keeps the text as typed (line breaks included)', () => {
    const d = { result: 'discrepancy' as const, note: '第一行\n第二行 ', evidence_ref: 'JW-2026-017' }
    expect(findingErrors(d)).toEqual({})
    expect(findingBody(d)).toEqual({ result: 'discrepancy', note: '第一行\n第二行 ', evidence_ref: 'JW-2026-017' })
  })

  it('given a round, a cadre and a day, when keyed, then the period names all three', () => {
    expect(findingPeriod('2026-Q3', 'c1', '2026-09-01')).toBe('2026-Q3|c1|2026-09-01')
  })
})

describe('the public ledger', () => {
  it('given a drawn round, when linked, then its page and its four files are under /site/audits/', () => {
    const files = ledgerFiles({ round_id: '2026-Q3', state: 'drawn' })
    expect(files.map((f) => f.href)).toEqual([
      '/site/audits/2026-Q3.html',
      '/site/audits/2026-Q3/commitment.json',
      '/site/audits/2026-Q3/snapshot.json',
      '/site/audits/2026-Q3/sample.json',
      '/site/audits/2026-Q3/reveal.json',
    ])
  })

  it('given a round only committed, when linked, then only its commitment is published', () => {
    expect(ledgerFiles({ round_id: '2026-Q4', state: 'committed' }).map((f) => f.name)).toEqual(['page', 'commitment'])
  })

  it('given the app’s origin, when the command is written, then it points verify-audit at the site', () => {
    expect(verifyCommand('SPOT-2026-11-30-01', 'http://127.0.0.1:8080')).toBe(
      'python -m worklog.cli verify-audit SPOT-2026-11-30-01 --url http://127.0.0.1:8080/site/',
    )
    expect(verifyCommand('2026-Q3', 'https://rizhi.example.gov.cn/')).toBe('python -m worklog.cli verify-audit 2026-Q3 --url https://rizhi.example.gov.cn/site/')
  })
})
