import { describe, expect, it } from 'vitest'

import type { CaseEventOut, CaseOut, EvidenceOut } from '@/api/types'
import { cadreText, describeEvent, describeEvidence, dueLabel, emptyText, holderRoles, mergeCases, ownerText, personName, roundText } from '@/util/cases'

function kase(over: Partial<CaseOut> = {}): CaseOut {
  return {
    case_id: 'RT-LOG-c0001-2026-11-18',
    kind: 'reminder_talk',
    kind_text: '提醒谈话',
    subject: 'logging',
    cadre_id: 'c0001',
    cadre_name: '李明',
    cadre_unit_name: '区教育局',
    owner_role: 'unit_head',
    owner_unit_id: 'jyj',
    state: 'open',
    state_text: '待办理',
    opened_on: '2026-11-18',
    due: '2026-11-25',
    reason: '近10个工作日内3次未按时填写',
    evidence: [],
    history: [{ at: '2026-11-18T02:00:00.000+08:00', by: 'system', action: 'opened', action_text: '立案', note: '立案', details: {} }],
    actions: ['talks', 'escalation', 'closure'],
    ...over,
  }
}

function evidence(over: Partial<EvidenceOut>): EvidenceOut {
  return { key: 'k', kind: 'unknown', date: null, summary: '无法识别的证据编号', details: {}, ...over }
}

describe('dueLabel: how a talk deadline reads today', () => {
  it('given an open talk past its deadline, then it is overdue by the days since, in words', () => {
    const due = dueLabel(kase({ due: '2026-11-25' }), '2026-11-30')
    expect(due).toEqual({ text: '已逾期 5 天（应于 11月25日 前谈话）', overdue: true, soon: false })
  })

  it('given an open talk due today, then it says so and is not yet overdue', () => {
    expect(dueLabel(kase({ due: '2026-11-30' }), '2026-11-30')).toEqual({ text: '今天到期（11月30日）', overdue: false, soon: true })
  })

  it('given an open talk due in two days, then it counts the days left', () => {
    expect(dueLabel(kase({ due: '2026-12-02' }), '2026-11-30')?.text).toBe('还剩 2 天（12月2日 前谈话）')
  })

  it('given an open talk due later, then it names the day, calmly', () => {
    expect(dueLabel(kase({ due: '2026-12-07' }), '2026-11-30')).toEqual({ text: '应于 12月7日 前谈话', overdue: false, soon: false })
  })

  it('given a deadline across a month end, then the days are counted on the calendar', () => {
    expect(dueLabel(kase({ due: '2026-11-27' }), '2026-12-01')?.text).toBe('已逾期 4 天（应于 11月27日 前谈话）')
  })

  it('given a talk already held, then its past deadline is never overdue', () => {
    expect(dueLabel(kase({ state: 'talk_recorded', due: '2026-11-25' }), '2026-11-30')).toEqual({ text: '谈话期限 11月25日', overdue: false, soon: false })
  })

  it('given an accountability case, then it has no deadline', () => {
    expect(dueLabel(kase({ kind: 'accountability', due: null }), '2026-11-30')).toBeNull()
  })
})

describe('holderRoles: the queues a person reads their cases in', () => {
  it('given a unit head who is also a district leader, then both queues', () => {
    expect(holderRoles(['cadre', 'unit_head', 'district_leader'])).toEqual(['unit_head', 'district_leader'])
  })

  it('given an inspector of both kinds, then the one shared queue once', () => {
    expect(holderRoles(['org_inspector', 'discipline_inspector'])).toEqual(['discipline_inspector'])
    expect(holderRoles(['cadre', 'org_inspector'])).toEqual(['org_inspector'])
  })

  it('given a plain cadre, then none', () => {
    expect(holderRoles(['cadre'])).toEqual([])
  })
})

describe('mergeCases: several queues in one list', () => {
  it('given a case in two lists, then it is listed once, newest first', () => {
    const older = kase({ case_id: 'A', opened_on: '2026-11-18' })
    const newer = kase({ case_id: 'B', opened_on: '2026-11-24' })
    expect(mergeCases([[older], [newer, older]]).map((c) => c.case_id)).toEqual(['B', 'A'])
  })
})

describe('cadreText and personName: people by name', () => {
  it('given a cadre on the roster, then their name and unit', () => {
    expect(cadreText(kase())).toBe('李明（区教育局）')
  })

  it('given a cadre no longer on the roster, then their id rather than a blank', () => {
    expect(cadreText(kase({ cadre_name: '', cadre_unit_name: '' }))).toBe('c0001')
    expect(personName('c0099', { c0002: '王强' })).toBe('c0099')
    expect(personName('system', {})).toBe('系统自动')
  })
})

describe('describeEvidence: each kind of evidence in plain words', () => {
  const names = { c0002: '王强', c0020: '钱纪' }

  it('given a missed daily entry, then the day in words and that it is still missing', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'miss',
        date: '2026-11-16',
        details: { cadre_id: 'c0001', kind: 'entry', period: '2026-11-16', due: '2026-11-16', status: 'missing', provisional: false },
      }),
      names,
    )
    expect(ev.kindText).toBe('未按时填写')
    expect(ev.title).toBe('2026年11月16日 星期一的工作日志')
    expect(ev.date).toBe('') // the title names the day already
    expect(ev.lines).toEqual([{ name: '补记情况', value: '检查时尚未填写' }])
  })

  it('given a monthly plan written late, then the month, its due date and when it was written', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'miss',
        date: '2026-12-03',
        details: { kind: 'plan', period: '2026-12', due: '2026-12-03', status: 'late_submitted', submitted_at: '2026-12-04T09:15:00+08:00' },
      }),
      names,
    )
    expect(ev.title).toBe('2026年12月的月度计划')
    expect(ev.lines).toEqual([
      { name: '应交日期', value: '2026年12月3日 星期四' },
      { name: '补记情况', value: '已于 2026年12月4日 09:15 补记' },
    ])
  })

  it('given a perfunctory verdict, then the week, the verdict, the reviewer by name and their comment as text', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'review',
        date: '2026-11-09',
        details: {
          week_start: '2026-11-09',
          week_end: '2026-11-15',
          verdict: 'perfunctory',
          reviewer_id: 'c0002',
          comment: '<b>记录过于简略</b>',
          reviewed_at: '2026-11-17T10:00:00+08:00',
          late: false,
        },
      }),
      names,
    )
    expect(ev.title).toBe('11月9日至11月15日一周日志的审阅结论：敷衍应付')
    expect(ev.lines).toContainEqual({ name: '审阅人', value: '王强' })
    expect(ev.lines).toContainEqual({ name: '审阅意见', value: '<b>记录过于简略</b>', text: true })
  })

  it('given a week a reviewer left unreviewed, in their own case, then whose week it was and that it is overdue', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'review',
        date: '2026-11-09',
        details: { week_start: '2026-11-09', week_end: '2026-11-15', due: '2026-11-22', verdict: null, cadre_id: 'c0001', cadre_name: '李明', reviewer_id: 'c0002', status: 'overdue', reviewed_at: null },
      }),
      names,
      'c0002',
    )
    expect(ev.title).toBe('11月9日至11月15日一周日志的审阅结论：尚未评阅')
    expect(ev.lines).toEqual([
      { name: '被审阅干部', value: '李明' },
      { name: '审阅人', value: '王强' },
      { name: '审阅期限', value: '2026年11月22日 星期日' },
      { name: '审阅情况', value: '逾期未审阅' },
    ])
  })

  it('given an audit finding, then the round, the day, the result and the inspector by name', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'finding',
        date: '2026-10-14',
        details: { round_id: '2026-Q4', day: '2026-10-14', inspector_id: 'c0020', result: 'falsified', note: '会议未召开', evidence_ref: '会议签到表', recorded_at: '2026-11-02T15:00:00+08:00' },
      }),
      names,
    )
    expect(ev.title).toBe('随机抽查2026年10月14日 星期三的日志：造假')
    expect(ev.lines).toContainEqual({ name: '抽查批次', value: '2026年第4季度随机抽查' })
    expect(ev.lines).toContainEqual({ name: '核查人', value: '钱纪' })
    expect(ev.lines).toContainEqual({ name: '核查意见', value: '会议未召开', text: true })
  })

  it('given the reminder talk an accountability case came from, then what was said and answered, and why it was escalated', () => {
    const ev = describeEvidence(
      evidence({
        kind: 'case',
        date: '2026-11-18',
        details: {
          case_id: 'RT-LOG-c0001-2026-11-18',
          kind: 'reminder_talk',
          state: 'escalated',
          opened_on: '2026-11-18',
          reason: '近10个工作日内3次未按时填写',
          history: [
            { at: '2026-11-18T02:00:00+08:00', by: 'system', action: 'opened', note: '立案', details: {} },
            { at: '2026-11-20T09:30:00+08:00', by: 'c0002', action: 'talk_recorded', note: '已进行提醒谈话', details: { talk_date: '2026-11-20', said: '要求整改', response: '接受' } },
            { at: '2026-11-27T09:30:00+08:00', by: 'c0002', action: 'escalated', note: '谈话后仍未改正', details: {} },
          ],
        },
      }),
      names,
    )
    expect(ev.kindText).toBe('此前案件')
    expect(ev.title).toBe('2026年11月18日 星期三立案的提醒谈话案件（已升级）')
    expect(ev.lines).toEqual([
      { name: '立案原因', value: '近10个工作日内3次未按时填写', text: true },
      { name: '谈话日期', value: '2026年11月20日 星期五' },
      { name: '谈话人', value: '王强' },
      { name: '谈话内容', value: '要求整改', text: true },
      { name: '本人表态', value: '接受', text: true },
      { name: '升级原因', value: '谈话后仍未改正', text: true },
    ])
  })

  it('given a record no longer there, then the server\'s one line, never a blank', () => {
    const ev = describeEvidence(evidence({ kind: 'miss', summary: '缺记记录已不存在' }), names)
    expect(ev.title).toBe('缺记记录已不存在')
    expect(ev.lines).toEqual([])
  })

  it('given a spot-check round, then its id is named as a batch', () => {
    expect(roundText('SC-2026-11-20-01')).toBe('抽查批次 SC-2026-11-20-01')
  })
})

describe('describeEvent: a case history line', () => {
  const event = (over: Partial<CaseEventOut>): CaseEventOut => ({ at: '2026-11-20T09:30:00.000+08:00', by: 'c0002', action: 'opened', action_text: '立案', note: '立案', details: {}, ...over })

  it('given a recorded talk, then its date in words and what was said, as text', () => {
    const line = describeEvent(
      event({ action: 'talk_recorded', action_text: '记录提醒谈话', note: '已进行提醒谈话', details: { talk_date: '2026-11-20', said: '<script>x</script>', response: '' } }),
      { c0002: '王强' },
    )
    expect(line).toEqual({
      action: '记录提醒谈话',
      at: '2026年11月20日 09:30',
      by: '王强',
      note: '',
      lines: [
        { name: '谈话日期', value: '2026年11月20日 星期五' },
        { name: '谈话内容', value: '<script>x</script>', text: true },
      ],
    })
  })

  it('given a closure, then the holder\'s reason is its note; given the opening, then no note', () => {
    expect(describeEvent(event({ action: 'closed', action_text: '办结', note: '已整改' }), {}).note).toBe('已整改')
    expect(describeEvent(event({ by: 'system' }), {})).toMatchObject({ note: '', by: '系统自动' })
  })
})

describe('ownerText: who holds a case, as an office', () => {
  it('given each kind of holder, then the office that acts on it', () => {
    expect(ownerText(kase())).toBe('所在单位负责人')
    expect(ownerText(kase({ owner_role: 'district_leader' }))).toBe('区领导')
    expect(ownerText(kase({ kind: 'accountability', owner_role: 'discipline_inspector' }))).toBe('区纪委监委、组织部')
  })
})

describe('emptyText: what an empty list means', () => {
  it('given no open cases, then it says where new ones come from', () => {
    expect(emptyText('open')).toContain('每晚的日志检查自动立案')
    expect(emptyText('all')).toContain('目前没有由您办理的案件')
  })
})
