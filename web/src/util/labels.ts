// What people read for the API's codes, in one place for every screen. The server's own wordings
// (shared/worklog/labels.py) are followed where it has them; where the API sends a `*_text` field
// (a case's kind_text and state_text), screens show that and these maps are only the fallback.

/** Roles, worded as ROLE_LABELS in shared/worklog/labels.py. */
export const ROLE_LABELS: Record<string, string> = {
  cadre: '普通干部',
  unit_head: '单位负责人',
  district_leader: '区领导',
  org_inspector: '组织部',
  discipline_inspector: '纪委监委',
  hr_evaluator: '人社局考核人员',
  admin: '管理员',
}

/** Why someone read a cadre's log (ReadOut.purpose, the read rules of access.py). */
export const READ_PURPOSE_LABELS: Record<string, string> = {
  review: '周审阅',
  unit_head: '单位负责人查阅',
  district_leader: '区领导查阅',
  inspector: '抽查核查',
  vetting: '任前审查',
}

/** LeaveIn.kind */
export const LEAVE_KIND_LABELS: Record<string, string> = {
  annual: '年休假',
  sick: '病假',
  business_trip: '出差',
  training: '培训学习',
  other: '其他',
}

/** The case states, worded as CASE_STATE_LABELS in shared/worklog/labels.py. */
export const CASE_STATE_LABELS: Record<string, string> = {
  open: '待办理',
  talk_recorded: '已谈话',
  escalated: '已升级',
  closed: '已办结',
}

/** The case kinds, worded as CASE_KIND_LABELS in shared/worklog/labels.py. */
export const CASE_KIND_LABELS: Record<string, string> = {
  reminder_talk: '提醒谈话',
  accountability: '问责',
}

/** The label of a code; an unknown code is shown as itself (never a blank). */
export function label(labels: Record<string, string>, code: string | null | undefined, fallback = ''): string {
  if (code === null || code === undefined || code === '') return fallback
  return labels[code] ?? code
}

/** Several roles, joined the Chinese way: 单位负责人、区领导 */
export function roleList(roles: readonly string[]): string {
  return roles.map((r) => label(ROLE_LABELS, r)).join('、')
}

/** Whose conduct a case is about (CaseOut.subject), as the cadre it is about reads it. */
export const CASE_SUBJECT_LABELS: Record<string, string> = {
  logging: '本人工作日志的填写',
  reviewing: '本人对所联系干部日志的审阅',
}

/** A case's state with an icon beside its words (never colour alone). */
export const CASE_STATE_ICONS: Record<string, string> = {
  open: 'clock-o',
  talk_recorded: 'comment-o',
  escalated: 'warning-o',
  closed: 'passed',
}

/** Quarterly grades, worded and ordered as GRADE_LABELS in shared/worklog/labels.py. */
export const GRADE_LABELS: Record<string, string> = {
  excellent: '优秀',
  good: '良好',
  fair: '一般',
  poor: '较差',
}

/** Weekly review verdicts, worded as VERDICT_LABELS in shared/worklog/labels.py. */
export const VERDICT_LABELS: Record<string, string> = {
  adequate: '合格',
  perfunctory: '敷衍应付',
  suspected_falsification: '涉嫌造假',
}

/** Audit findings, worded as FINDING_LABELS in shared/worklog/labels.py. */
export const FINDING_LABELS: Record<string, string> = {
  verified: '属实',
  discrepancy: '不符',
  falsified: '造假',
}
