// Vetting notices (任前公示): their states in words, the notice period as people read it, the new
// notice form turned into the API's body, the link to a notice's public page, and the public's
// feedback sorted into answered and waiting.

import type { Cadre, FeedbackOut, NoticeIn, NoticeOut, NoticeState } from '@/api/types'

import { longDate, shortDate } from './dates'
import { charCount, filled } from './forms'

/** The limits of NoticeIn and AnswerIn (shared/worklog/models/notices.py). */
export const POST_MAX = 100
export const ANSWER_MAX = 2000
export const MIN_WORKING_DAYS = 5

/** A notice's state in words and an icon: never colour alone. */
export const NOTICE_STATES: Record<NoticeState, { text: string; icon: string }> = {
  upcoming: { text: '未开始', icon: 'clock-o' },
  open: { text: '公示中', icon: 'bullhorn-o' },
  closed: { text: '已结束', icon: 'passed' },
}

export function stateText(state: NoticeState): string {
  return NOTICE_STATES[state]?.text ?? state
}

export function stateIcon(state: NoticeState): string {
  return NOTICE_STATES[state]?.icon ?? 'info-o'
}

/** 公示期 2026年12月1日 星期二 至 2026年12月7日 星期一（5个工作日） */
export function periodText(n: Pick<NoticeOut, 'start' | 'end' | 'working_days'>): string {
  return `公示期 ${longDate(n.start)} 至 ${longDate(n.end)}（${n.working_days}个工作日）`
}

/** 12月1日—12月7日, for a list row. */
export function shortPeriod(n: Pick<NoticeOut, 'start' | 'end'>): string {
  const sameYear = n.start.slice(0, 4) === n.end.slice(0, 4)
  const end = sameYear ? shortDate(n.end) : `${n.end.slice(0, 4)}年${shortDate(n.end)}`
  return `${n.start.slice(0, 4)}年${shortDate(n.start)} 至 ${end}`
}

/** The list's order: open first, then upcoming, then closed; within each, the latest start first. */
export function sortNotices(notices: readonly NoticeOut[]): NoticeOut[] {
  const rank: Record<NoticeState, number> = { open: 0, upcoming: 1, closed: 2 }
  return [...notices].sort((a, b) => (rank[a.state] ?? 3) - (rank[b.state] ?? 3) || b.start.localeCompare(a.start) || a.notice_id.localeCompare(b.notice_id))
}

// --- the new notice form -------------------------------------------------------------------------

export interface NoticeForm {
  candidateId: string
  currentPost: string
  proposedPost: string
  start: string
  /** Empty: exactly five working days from the start (the server computes the end). */
  end: string
}

export type NoticeField = 'candidate_id' | 'current_post' | 'proposed_post' | 'start' | 'end'

const CANDIDATE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/

export function emptyNoticeForm(today: string): NoticeForm {
  return { candidateId: '', currentPost: '', proposedPost: '', start: today, end: '' }
}

/** The form's problems before anything is sent, by field (none: it can be sent). */
export function noticeFormErrors(form: NoticeForm, today: string): Partial<Record<NoticeField, string>> {
  const errors: Partial<Record<NoticeField, string>> = {}
  const id = form.candidateId.trim()
  if (!id) errors.candidate_id = '请选择公示对象，或填写其工号'
  else if (!CANDIDATE_ID.test(id)) errors.candidate_id = '工号只能包含字母、数字、“_”和“-”'
  for (const [field, value, name] of [
    ['current_post', form.currentPost, '现任职务'],
    ['proposed_post', form.proposedPost, '拟任职务'],
  ] as const) {
    if (!filled(value)) errors[field] = `请填写${name}`
    else if (charCount(value.trim()) > POST_MAX) errors[field] = `${name}最多 ${POST_MAX} 字，请删减`
    else if (/[\r\n]/.test(value)) errors[field] = `${name}请写在一行内`
  }
  if (!ISO_DAY.test(form.start)) errors.start = '请选择公示开始日期'
  else if (form.start < today) errors.start = `公示开始日期不能早于今天（${longDate(today)}）`
  if (form.end) {
    if (!ISO_DAY.test(form.end)) errors.end = '结束日期不正确'
    else if (ISO_DAY.test(form.start) && form.end < form.start) errors.end = '结束日期不能早于开始日期'
  }
  return errors
}

/** The body of POST /admin/notices; `dryRun` asks for the notice without opening it. */
export function noticeBody(form: NoticeForm, dryRun: boolean): NoticeIn {
  const body: NoticeIn = {
    candidate_id: form.candidateId.trim(),
    current_post: form.currentPost,
    proposed_post: form.proposedPost,
    start: form.start,
    dry_run: dryRun,
  }
  if (form.end) body.end = form.end
  return body
}

/** Whether a preview was made from the form as it is now (else it must be made again). */
export function sameRequest(a: NoticeIn | null, b: NoticeIn): boolean {
  if (!a) return false
  return JSON.stringify({ ...a, dry_run: false }) === JSON.stringify({ ...b, dry_run: false })
}

/** The members one may choose as a candidate today: in post (joined, not left), by name. */
export function candidates(cadres: readonly Cadre[], today: string): Cadre[] {
  return cadres
    .filter((c) => (!c.joined_on || c.joined_on <= today) && (!c.left_on || c.left_on >= today))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.cadre_id.localeCompare(b.cadre_id))
}

// --- the public page ---------------------------------------------------------------------------------

const NOTICE_ID = /^N[0-9]{8}-[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/

/**
 * The notice's public page, as a path on the app's own origin. The publisher writes it to the site
 * bucket as `notices/<id>.html` (shared/worklog/publish/render.py), and the site is served under
 * `/site/` on the same origin as the app and the API both locally (the runtime, with the app under
 * `/app/`) and deployed (the front door, with the app at `/`): one absolute path works in both.
 */
export function publicPagePath(noticeId: string): string | null {
  return NOTICE_ID.test(noticeId) ? `/site/notices/${noticeId}.html` : null
}

// --- the public's feedback ---------------------------------------------------------------------------

export function answered(f: Pick<FeedbackOut, 'answer'>): boolean {
  return f.answer !== null && f.answer !== undefined
}

export function unansweredCount(feedback: readonly Pick<FeedbackOut, 'answer'>[]): number {
  return feedback.filter((f) => !answered(f)).length
}

/** The answer's problem before it is sent, or null. */
export function answerError(text: string): string | null {
  if (!filled(text)) return '请填写答复内容'
  const n = charCount(text.trim())
  if (n > ANSWER_MAX) return `答复最多 ${ANSWER_MAX} 字，已超出 ${n - ANSWER_MAX} 字，请删减`
  return null
}

/** The outbox's period for one answer: the notice and the piece of feedback. */
export function answerPeriod(noticeId: string, feedbackId: string): string {
  return `${noticeId}/${feedbackId}`
}
