// The rules of the case screens (待办案件, 案件): which queues a holder reads, how a deadline reads,
// and every piece of a dossier's evidence in plain Chinese. Pure: "today" is GET /me's.

import type { CaseEventOut, CaseOut, EvidenceOut } from '@/api/types'
import { dateTime, halfLabel, longDate, monthLabel, shortDate } from './dates'
import { CASE_KIND_LABELS, CASE_STATE_LABELS, FINDING_LABELS, VERDICT_LABELS, label } from './labels'

export type CaseState = CaseOut['state']
export type CaseMove = CaseOut['actions'][number]

/** The state filter of 待办案件: every state the API filters on, and all of them. */
export const STATE_FILTERS: readonly { value: CaseState | 'all'; text: string }[] = [
  { value: 'all', text: '全部' },
  { value: 'open', text: label(CASE_STATE_LABELS, 'open') },
  { value: 'talk_recorded', text: label(CASE_STATE_LABELS, 'talk_recorded') },
  { value: 'escalated', text: label(CASE_STATE_LABELS, 'escalated') },
  { value: 'closed', text: label(CASE_STATE_LABELS, 'closed') },
]

/** What an empty list means, for the filter it was asked with. */
export function emptyText(filter: CaseState | 'all'): string {
  switch (filter) {
    case 'open':
      return '没有待办理的案件。新的提醒谈话案件由每晚的日志检查自动立案，立案后会出现在这里。'
    case 'talk_recorded':
      return '没有已谈话、待办结的案件。'
    case 'escalated':
      return '没有已升级为问责的案件。'
    case 'closed':
      return '没有已办结的案件。'
    default:
      return '目前没有由您办理的案件。干部多次未按时填写日志、审阅结论为敷衍应付等情况时，系统会自动立案并交由您办理。'
  }
}

/**
 * The owner roles a person reads their cases in (GET /cases?role=…), one request each: the Discipline
 * Commission and the Org Dept share one queue, so an inspector of both kinds asks once.
 */
export function holderRoles(roles: Iterable<string>): string[] {
  const have = new Set(roles)
  const out: string[] = []
  if (have.has('unit_head')) out.push('unit_head')
  if (have.has('district_leader')) out.push('district_leader')
  if (have.has('discipline_inspector')) out.push('discipline_inspector')
  else if (have.has('org_inspector')) out.push('org_inspector')
  return out
}

/** Several lists in one, each case once, newest first (opened later, then opened at a later time). */
export function mergeCases(lists: readonly (readonly CaseOut[])[]): CaseOut[] {
  const byId = new Map<string, CaseOut>()
  for (const list of lists) for (const c of list) if (!byId.has(c.case_id)) byId.set(c.case_id, c)
  const key = (c: CaseOut) => `${c.opened_on}|${c.history[0]?.at ?? ''}|${c.case_id}`
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0))
}

function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d) / 86_400_000
}

export interface DueLabel {
  text: string
  /** Past the deadline with the talk still not held. */
  overdue: boolean
  /** Due today or within two days. */
  soon: boolean
}

/**
 * How a case's deadline reads today. Only an open reminder talk has one that still matters (the talk
 * is due 5 working days after the case opens); an accountability case has none.
 */
export function dueLabel(c: Pick<CaseOut, 'state' | 'due'>, today: string): DueLabel | null {
  if (!c.due) return null
  if (c.state !== 'open') return { text: `谈话期限 ${shortDate(c.due)}`, overdue: false, soon: false }
  const left = dayNumber(c.due) - dayNumber(today)
  if (left < 0) return { text: `已逾期 ${-left} 天（应于 ${shortDate(c.due)} 前谈话）`, overdue: true, soon: false }
  if (left === 0) return { text: `今天到期（${shortDate(c.due)}）`, overdue: false, soon: true }
  if (left <= 2) return { text: `还剩 ${left} 天（${shortDate(c.due)} 前谈话）`, overdue: false, soon: true }
  return { text: `应于 ${shortDate(c.due)} 前谈话`, overdue: false, soon: false }
}

/** The case's kind and state for a line of the list: 提醒谈话 · 待办理 */
export function kindText(c: Pick<CaseOut, 'kind' | 'kind_text'>): string {
  return c.kind_text || label(CASE_KIND_LABELS, c.kind)
}

export function stateText(c: Pick<CaseOut, 'state' | 'state_text'>): string {
  return c.state_text || label(CASE_STATE_LABELS, c.state)
}

/** Who a case is about: 李明（区教育局）, or the id when the roster no longer has them. */
export function cadreText(c: Pick<CaseOut, 'cadre_id' | 'cadre_name' | 'cadre_unit_name'>): string {
  const name = c.cadre_name || c.cadre_id
  return c.cadre_unit_name ? `${name}（${c.cadre_unit_name}）` : name
}

/** Who holds a case, as an office: the unit head, the district leaders, or both inspectorates. */
export function ownerText(c: Pick<CaseOut, 'kind' | 'owner_role'>): string {
  if (c.kind === 'accountability' || c.owner_role === 'discipline_inspector' || c.owner_role === 'org_inspector') return '区纪委监委、组织部'
  if (c.owner_role === 'district_leader') return '区领导'
  if (c.owner_role === 'unit_head') return '所在单位负责人'
  return c.owner_role
}

export type Names = Record<string, string>

/** A person the dossier names: their name, or the id when the roster no longer has them. */
export function personName(id: string | null | undefined, names: Names): string {
  if (!id) return ''
  if (id === 'system') return '系统自动'
  return names[id] ?? id
}

/** One line of a piece of evidence: what it is and its value; `text` marks text a person wrote. */
export interface Line {
  name: string
  value: string
  text?: boolean
}

export interface Evidence {
  key: string
  kind: EvidenceOut['kind']
  /** The kind in words: 未按时填写, 周审阅结论, 抽查核查, 此前案件. */
  kindText: string
  title: string
  /** The date it concerns, as a long date, or '' when it has none. */
  date: string
  lines: Line[]
}

const EVIDENCE_KIND: Record<EvidenceOut['kind'], string> = {
  miss: '未按时填写',
  review: '周审阅结论',
  finding: '抽查核查',
  case: '此前案件',
  unknown: '其他依据',
}

type Details = Record<string, unknown>

function str(details: Details, key: string): string {
  const v = details[key]
  return typeof v === 'string' ? v : ''
}

function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
}

/** A day, a month or a half-year as people read it (a miss's period). */
function periodText(kind: string, period: string): string {
  if (kind === 'entry' && isDay(period)) return longDate(period)
  if (kind === 'plan' && /^\d{4}-\d{2}$/.test(period)) return monthLabel(period)
  if (kind === 'summary' && /^\d{4}-H[12]$/.test(period)) return halfLabel(period)
  return period
}

const PERIOD_KIND: Record<string, string> = { entry: '工作日志', plan: '月度计划', summary: '半年总结' }

/** A round of the audit: 2026年第4季度随机抽查, or its id for a spot-check. */
export function roundText(roundId: string): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(roundId)
  return q ? `${q[1]}年第${q[2]}季度随机抽查` : `抽查批次 ${roundId}`
}

function missEvidence(d: Details): Pick<Evidence, 'title' | 'lines'> {
  const kind = str(d, 'kind')
  const period = str(d, 'period')
  const what = PERIOD_KIND[kind] ?? '记录'
  const lines: Line[] = []
  // A day's entry is due on the day itself; a plan or a summary by a date of its own.
  const due = str(d, 'due')
  if (kind !== 'entry' && isDay(due)) lines.push({ name: '应交日期', value: longDate(due) })
  const submitted = str(d, 'submitted_at')
  if (str(d, 'status') === 'late_submitted') {
    lines.push({ name: '补记情况', value: submitted ? `已于 ${dateTime(submitted)} 补记` : '已补记' })
  } else {
    lines.push({ name: '补记情况', value: '检查时尚未填写' })
  }
  if (d.provisional === true) lines.push({ name: '说明', value: '该日期所在年度的节假日安排尚未公布，按暂定工作日计' })
  return { title: `${periodText(kind, period)}的${what}`, lines }
}

function reviewEvidence(d: Details, names: Names, about: string): Pick<Evidence, 'title' | 'lines'> {
  const start = str(d, 'week_start')
  const end = str(d, 'week_end')
  const week = isDay(start) && isDay(end) ? `${shortDate(start)}至${shortDate(end)}` : start
  const verdict = label(VERDICT_LABELS, str(d, 'verdict'), '尚未评阅')
  const lines: Line[] = []
  // A reviewer's own case cites the weeks they reviewed (or did not): name whose week it was.
  const reviewee = str(d, 'cadre_id')
  if (reviewee && reviewee !== about) lines.push({ name: '被审阅干部', value: str(d, 'cadre_name') || personName(reviewee, names) })
  const reviewer = str(d, 'reviewer_id')
  if (reviewer) lines.push({ name: '审阅人', value: personName(reviewer, names) })
  const due = str(d, 'due')
  if (isDay(due)) lines.push({ name: '审阅期限', value: longDate(due) })
  const at = str(d, 'reviewed_at')
  const wasOverdue = str(d, 'status') === 'overdue' || !!str(d, 'overdue_marked_at')
  if (at) lines.push({ name: '审阅时间', value: `${dateTime(at)}${d.late === true ? '（逾期审阅）' : ''}` })
  else if (wasOverdue) lines.push({ name: '审阅情况', value: '逾期未审阅' })
  const comment = str(d, 'comment')
  if (comment) lines.push({ name: '审阅意见', value: comment, text: true })
  return { title: `${week}一周日志的审阅结论：${verdict}`, lines }
}

function findingEvidence(d: Details, names: Names): Pick<Evidence, 'title' | 'lines'> {
  const day = str(d, 'day')
  const result = label(FINDING_LABELS, str(d, 'result'), '待核查')
  const lines: Line[] = []
  const round = str(d, 'round_id')
  if (round) lines.push({ name: '抽查批次', value: roundText(round) })
  const inspector = str(d, 'inspector_id')
  if (inspector) lines.push({ name: '核查人', value: personName(inspector, names) })
  const at = str(d, 'recorded_at')
  if (at) lines.push({ name: '核查时间', value: dateTime(at) })
  const note = str(d, 'note')
  if (note) lines.push({ name: '核查意见', value: note, text: true })
  const ref = str(d, 'evidence_ref')
  if (ref) lines.push({ name: '佐证材料', value: ref, text: true })
  return { title: `随机抽查${isDay(day) ? longDate(day) : day}的日志：${result}`, lines }
}

function caseEvidence(d: Details, names: Names): Pick<Evidence, 'title' | 'lines'> {
  const kind = label(CASE_KIND_LABELS, str(d, 'kind'), '')
  const state = label(CASE_STATE_LABELS, str(d, 'state'), '')
  const opened = str(d, 'opened_on')
  const title = `${isDay(opened) ? `${longDate(opened)}立案的` : ''}${kind || '案件'}${kind ? '案件' : ''}${state ? `（${state}）` : ''}`
  const lines: Line[] = []
  const reason = str(d, 'reason')
  if (reason) lines.push({ name: '立案原因', value: reason, text: true })
  const history = Array.isArray(d.history) ? (d.history as Details[]) : []
  for (const event of history) {
    if (event.action !== 'talk_recorded') continue
    const talk = (event.details ?? {}) as Details
    const day = str(talk, 'talk_date')
    lines.push({ name: '谈话日期', value: isDay(day) ? longDate(day) : day })
    lines.push({ name: '谈话人', value: personName(str(event, 'by'), names) })
    lines.push({ name: '谈话内容', value: str(talk, 'said'), text: true })
    if (str(talk, 'response')) lines.push({ name: '本人表态', value: str(talk, 'response'), text: true })
  }
  const ending = history.filter((e) => e.action === 'escalated' || e.action === 'closed').at(-1)
  if (ending) {
    const what = ending.action === 'escalated' ? '升级原因' : '办结原因'
    lines.push({ name: what, value: str(ending, 'note'), text: true })
  }
  return { title, lines }
}

/** A piece of a case's evidence, from what the dossier looked up; its one-line summary when the record is gone. */
/** ``about``: the cadre the case is about (their own name is not repeated on each piece). */
export function describeEvidence(ev: EvidenceOut, names: Names, about = ''): Evidence {
  const d = (ev.details ?? {}) as Details
  const date = ev.date && isDay(ev.date) ? longDate(ev.date) : ''
  const base = { key: ev.key, kind: ev.kind, kindText: EVIDENCE_KIND[ev.kind] ?? EVIDENCE_KIND.unknown, date }
  const found = Object.keys(d).length > 0
  if (found && ev.kind === 'miss') return { ...base, date: '', ...missEvidence(d) }
  if (found && ev.kind === 'review') return { ...base, ...reviewEvidence(d, names, about) }
  if (found && ev.kind === 'finding') return { ...base, ...findingEvidence(d, names) }
  if (found && ev.kind === 'case') return { ...base, ...caseEvidence(d, names) }
  return { ...base, title: ev.summary, lines: [] }
}

/** A case's history event, in words: who did what and when, and what was recorded. */
export interface HistoryLine {
  action: string
  at: string
  by: string
  note: string
  lines: Line[]
}

const TALK_FIELDS: [string, string][] = [
  ['talk_date', '谈话日期'],
  ['said', '谈话内容'],
  ['response', '本人表态'],
]

export function describeEvent(e: CaseEventOut, names: Names): HistoryLine {
  const lines: Line[] = []
  if (e.action === 'talk_recorded') {
    for (const [key, name] of TALK_FIELDS) {
      const value = e.details[key]
      if (!value) continue
      lines.push(key === 'talk_date' && isDay(value) ? { name, value: longDate(value) } : { name, value, text: true })
    }
  }
  // Only a holder's reason (escalating, closing) or the why of added evidence says more than the
  // action itself; the opening's reason is the case's own, shown at the top.
  const said = e.action === 'escalated' || e.action === 'closed' || e.action === 'evidence_added'
  const note = said && e.note !== e.action_text ? e.note : ''
  return { action: e.action_text, at: dateTime(e.at), by: personName(e.by, names), note, lines }
}
