// The 抽查 screens' rules: how rounds and findings are worded, how far a round's checks are, what a
// finding form may send, and where a round's public files are.

import type { AssignmentOut, AuditRoundOut, FindingIn, SampleProgress } from '@/api/types'
import { countChars } from './entry'
import { FINDING_LABELS, label } from './labels'

export type FindingResult = FindingIn['result']

/** The three results, in the server's one wording (FINDING_LABELS). */
export const FINDINGS: readonly { value: FindingResult; text: string; hint: string; icon: string }[] = [
  { value: 'verified', text: label(FINDING_LABELS, 'verified'), hint: '日志内容与核实情况一致', icon: 'passed' },
  { value: 'discrepancy', text: label(FINDING_LABELS, 'discrepancy'), hint: '日志内容与实际有出入，但不属于故意编造', icon: 'warning-o' },
  { value: 'falsified', text: label(FINDING_LABELS, 'falsified'), hint: '日志内容系编造；提交后将启动问责程序', icon: 'close' },
]

/** A sampled day no finding has been recorded for yet (FINDING_PENDING_LABEL). */
export const PENDING_TEXT = '待核查'

export function findingText(result: string | null | undefined): string {
  if (!result || result === 'pending') return PENDING_TEXT
  return FINDINGS.find((f) => f.value === result)?.text ?? result
}

export function findingIcon(result: string | null | undefined): string {
  return FINDINGS.find((f) => f.value === result)?.icon ?? 'clock-o'
}

/** A round's kind and state, worded as the public site words them. */
export const ROUND_KIND_LABELS: Record<string, string> = { quarterly: '季度随机抽查', spot: '专项抽查' }
export const ROUND_STATE_LABELS: Record<string, string> = { committed: '已公布承诺，尚未抽取', drawn: '已抽取' }

/** 2026-Q3 → 2026年第三季度 */
export function quarterLabel(quarter: string): string {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter)
  if (!m) return quarter
  return `${m[1]}年第${'一二三四'[Number(m[2]) - 1]}季度`
}

// --- progress -------------------------------------------------------------------------------------

export interface RoundWork {
  roundId: string
  /** The inspector's sampled cadres in this round, in the order given. */
  assignments: AssignmentOut[]
  cadres: number
  /** Sampled days to judge (one finding each). */
  days: number
  recorded: number
  pending: number
}

/** One inspector's assignments (GET /me/audits) by round, newest round first, with how far they are. */
export function workByRound(assignments: readonly AssignmentOut[], order: readonly string[] = []): RoundWork[] {
  const byRound = new Map<string, AssignmentOut[]>()
  for (const a of assignments) byRound.set(a.round_id, [...(byRound.get(a.round_id) ?? []), a])
  const rank = (id: string) => {
    const i = order.indexOf(id)
    return i < 0 ? Number.MAX_SAFE_INTEGER : i
  }
  return [...byRound.entries()]
    .map(([roundId, list]) => {
      const days = list.reduce((n, a) => n + a.entries.length, 0)
      const recorded = list.reduce((n, a) => n + recordedDays(a), 0)
      return { roundId, assignments: list, cadres: list.length, days, recorded, pending: days - recorded }
    })
    .sort((x, y) => rank(x.roundId) - rank(y.roundId) || (x.roundId < y.roundId ? 1 : x.roundId > y.roundId ? -1 : 0))
}

/** Sampled days of one assignment with a finding of the inspector's (a finding on another day is not counted). */
export function recordedDays(a: Pick<AssignmentOut, 'entries' | 'findings'>): number {
  const sampled = new Set(a.entries)
  return new Set(a.findings.filter((f) => sampled.has(f.day)).map((f) => f.day)).size
}

export interface ProgressLabel {
  text: string
  icon: string
  done: boolean
}

/** 已全部核查（共 5 篇） / 已核查 2 篇，待核查 3 篇 / 本轮没有需要核查的日志 */
export function progressLabel(recorded: number, total: number): ProgressLabel {
  if (total === 0) return { text: '没有需要核查的日志', icon: 'info-o', done: true }
  if (recorded >= total) return { text: `已全部核查（共 ${total} 篇）`, icon: 'passed', done: true }
  return { text: `已核查 ${recorded} 篇，待核查 ${total - recorded} 篇`, icon: 'clock-o', done: false }
}

/** The results of a round's recorded findings, in the fixed order: 属实 3 · 不符 1 · 造假 0 */
export function resultCounts(progress: Pick<SampleProgress, 'results'>): string {
  return FINDINGS.map((f) => `${f.text} ${progress.results[f.value] ?? 0}`).join(' · ')
}

// --- the finding form ----------------------------------------------------------------------------

export const NOTE_MAX = 2000
export const EVIDENCE_MAX = 500

export interface FindingDraft {
  result: FindingResult | null
  note: string
  evidence_ref: string
}

export type FindingErrors = Partial<Record<'result' | 'note' | 'evidence_ref', string>>

/** What is wrong with a finding before it is sent (the server's limits: FindingIn). */
export function findingErrors(d: FindingDraft): FindingErrors {
  const errors: FindingErrors = {}
  if (!d.result) errors.result = '请选择核查结果：属实、不符或造假'
  const note = countChars(d.note.trim())
  if (note === 0) errors.note = '请填写核查情况'
  else if (note > NOTE_MAX) errors.note = `核查情况已超出 ${note - NOTE_MAX} 字，请删减至 ${NOTE_MAX} 字以内`
  const evidence = d.evidence_ref.trim()
  if (/[\r\n]/.test(evidence)) errors.evidence_ref = '证据编号只能写一行'
  else if (countChars(evidence) > EVIDENCE_MAX) errors.evidence_ref = `证据编号不能超过 ${EVIDENCE_MAX} 字`
  return errors
}

/** The request body (outer whitespace is the server's to trim; nothing else is changed). */
export function findingBody(d: FindingDraft): FindingIn {
  if (!d.result) throw new Error('no result chosen')
  return { result: d.result, note: d.note, evidence_ref: d.evidence_ref }
}

/** The outbox's and the drafts' period of one finding. */
export function findingPeriod(roundId: string, cadreId: string, day: string): string {
  return `${roundId}|${cadreId}|${day}`
}

// --- the public ledger ---------------------------------------------------------------------------

/**
 * Where the public site is: `/site/` on the app's own origin, locally (the runtime serves the site
 * bucket there, the app at /app/) and deployed (the distribution routes /site/* to the site bucket,
 * the app at /). An absolute path from the origin's root works in both, whatever the app's base.
 */
export const SITE_PATH = '/site/'

export interface LedgerFile {
  name: string
  text: string
  href: string
}

const FILE_TEXT: Record<string, string> = {
  commitment: '承诺（种子哈希）',
  snapshot: '数据快照',
  sample: '抽取结果',
  reveal: '公布种子',
}

/** The round's page and files on the public site (the keys the publisher mirrors from the ledger). */
export function ledgerFiles(round: Pick<AuditRoundOut, 'round_id' | 'state'>, site = SITE_PATH): LedgerFile[] {
  const id = encodeURIComponent(round.round_id)
  const names = round.state === 'drawn' ? ['commitment', 'snapshot', 'sample', 'reveal'] : ['commitment']
  return [
    { name: 'page', text: '本轮公示页面', href: `${site}audits/${id}.html` },
    ...names.map((n) => ({ name: n, text: `${FILE_TEXT[n]}（${n}.json）`, href: `${site}audits/${id}/${n}.json` })),
  ]
}

/** The command that recomputes the draw from the public files (python -m worklog.cli verify-audit). */
export function verifyCommand(roundId: string, origin: string, site = SITE_PATH): string {
  return `python -m worklog.cli verify-audit ${roundId} --url ${origin.replace(/\/+$/, '')}${site}`
}
