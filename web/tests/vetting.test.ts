import { describe, expect, it } from 'vitest'

import type { Cadre, NoticeOut } from '@/api/types'
import {
  answerError,
  answerPeriod,
  candidates,
  emptyNoticeForm,
  noticeBody,
  noticeFormErrors,
  periodText,
  publicPagePath,
  sameRequest,
  shortPeriod,
  sortNotices,
  stateIcon,
  stateText,
  unansweredCount,
} from '@/util/vetting'

function notice(over: Partial<NoticeOut>): NoticeOut {
  return {
    notice_id: 'N20261201-c0001',
    candidate_id: 'c0001',
    candidate_name: '李明',
    unit_id: 'jyj',
    current_post: '副局长',
    proposed_post: '局长',
    start: '2026-12-01',
    end: '2026-12-07',
    working_days: 5,
    state: 'upcoming',
    opened_by: 'c0010',
    opened_at: '2026-11-30T10:00:00+08:00',
    ...over,
  }
}

function cadre(over: Partial<Cadre>): Cadre {
  return { cadre_id: 'c0001', name: '李明', unit_id: 'jyj', title: '', rank: '', roles: ['cadre'], ...over }
}

describe('a notice state is words and an icon, never colour alone', () => {
  it('given each state, when shown, then it has its Chinese word and an icon', () => {
    expect([stateText('upcoming'), stateText('open'), stateText('closed')]).toEqual(['未开始', '公示中', '已结束'])
    expect(new Set([stateIcon('upcoming'), stateIcon('open'), stateIcon('closed')]).size).toBe(3)
  })
})

describe('the notice period reads as a sentence with the weekdays and the working days', () => {
  it('given the server computed the end, when shown, then both days carry their weekday', () => {
    expect(periodText(notice({}))).toBe('公示期 2026年12月1日 星期二 至 2026年12月7日 星期一（5个工作日）')
  })
  it('given a period across the new year, when shown short, then the end keeps its year', () => {
    expect(shortPeriod(notice({ start: '2026-12-28', end: '2027-01-05' }))).toBe('2026年12月28日 至 2027年1月5日')
    expect(shortPeriod(notice({}))).toBe('2026年12月1日 至 12月7日')
  })
})

describe('the notices list puts what needs attention first', () => {
  it('given open, upcoming and closed notices, when sorted, then open, upcoming, closed, latest start first', () => {
    const sorted = sortNotices([
      notice({ notice_id: 'a', state: 'closed', start: '2026-10-01' }),
      notice({ notice_id: 'b', state: 'upcoming', start: '2026-12-10' }),
      notice({ notice_id: 'c', state: 'open', start: '2026-11-20' }),
      notice({ notice_id: 'd', state: 'open', start: '2026-11-25' }),
    ])
    expect(sorted.map((n) => n.notice_id)).toEqual(['d', 'c', 'b', 'a'])
  })
})

describe('the new notice form', () => {
  const today = '2026-11-30'

  it('given an empty form, when checked, then each required field says what to do', () => {
    const errors = noticeFormErrors({ ...emptyNoticeForm(today), start: '' }, today)
    expect(Object.keys(errors).sort()).toEqual(['candidate_id', 'current_post', 'proposed_post', 'start'])
  })

  it('given a start before today, when checked, then it is refused with today named', () => {
    const form = { candidateId: 'c0001', currentPost: '副局长', proposedPost: '局长', start: '2026-11-29', end: '' }
    expect(noticeFormErrors(form, today).start).toContain('2026年11月30日')
  })

  it('given an end before the start, or a post over 100 characters, when checked, then both are named', () => {
    const form = { candidateId: 'c0001', currentPost: '副'.repeat(101), proposedPost: '局长', start: '2026-12-01', end: '2026-11-30' }
    const errors = noticeFormErrors(form, today)
    expect(errors.end).toBeTruthy()
    expect(errors.current_post).toContain('100')
  })

  it('given a complete form, when checked, then it has no problem', () => {
    const form = { candidateId: ' c0001 ', currentPost: '副局长', proposedPost: '局长', start: today, end: '' }
    expect(noticeFormErrors(form, today)).toEqual({})
  })

  it('given no end, when turned into a body, then the end is left to the server and a preview asks for a dry run', () => {
    const form = { candidateId: ' c0001 ', currentPost: ' 副局长 ', proposedPost: '局长', start: '2026-12-01', end: '' }
    expect(noticeBody(form, true)).toEqual({ candidate_id: 'c0001', current_post: ' 副局长 ', proposed_post: '局长', start: '2026-12-01', dry_run: true })
    expect(noticeBody({ ...form, end: '2026-12-10' }, false)).toMatchObject({ end: '2026-12-10', dry_run: false })
  })

  it('given a preview, when the form changes, then the preview no longer matches it', () => {
    const form = { candidateId: 'c0001', currentPost: '副局长', proposedPost: '局长', start: '2026-12-01', end: '' }
    const previewed = noticeBody(form, true)
    expect(sameRequest(previewed, noticeBody(form, false))).toBe(true)
    expect(sameRequest(previewed, noticeBody({ ...form, start: '2026-12-02' }, false))).toBe(false)
    expect(sameRequest(null, noticeBody(form, false))).toBe(false)
  })

  it('given a unit with a member who left and one not yet joined, when choosing, then only those in post are offered, by name', () => {
    const members = [
      cadre({ cadre_id: 'c3', name: '王强' }),
      cadre({ cadre_id: 'c1', name: '李明' }),
      cadre({ cadre_id: 'c2', name: '孙涛', left_on: '2026-10-31' }),
      cadre({ cadre_id: 'c4', name: '赵敏', joined_on: '2026-12-15' }),
    ]
    expect(candidates(members, today).map((c) => c.cadre_id)).toEqual(['c1', 'c3'])
  })
})

describe('the public page is a path on the app’s own origin', () => {
  it('given a notice id, when linked, then the path is under /site/notices/', () => {
    expect(publicPagePath('N20261201-c0001')).toBe('/site/notices/N20261201-c0001.html')
  })
  it('given something that is not a notice id, when linked, then there is no link', () => {
    expect(publicPagePath('../../admin')).toBeNull()
    expect(publicPagePath('N20261201-c0001/../x')).toBeNull()
  })
})

describe('feedback and answers', () => {
  it('given pieces with and without answers, when counted, then the waiting ones are counted', () => {
    expect(unansweredCount([{ answer: null }, { answer: '已核实' }, { answer: null }])).toBe(2)
  })
  it('given an answer, when checked, then blank and over-long answers are refused with what to do', () => {
    expect(answerError('  \n ')).toBe('请填写答复内容')
    expect(answerError('答'.repeat(2001))).toContain('超出 1 字')
    expect(answerError(' 已核实，情况属实。 ')).toBeNull()
  })
  it('given a notice and a piece, when queued, then the outbox period names both', () => {
    expect(answerPeriod('N20261201-c0001', '0123456789abcdef')).toBe('N20261201-c0001/0123456789abcdef')
  })
})
