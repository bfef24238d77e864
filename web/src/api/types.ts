// Names for the contract's shapes, all generated from docs/openapi.json (`make openapi`).
import type { components } from './schema'

type S = components['schemas']

export type Me = S['MeOut']
export type Owed = S['Owed']
export type EntryIn = S['EntryIn']
export type EntryItem = S['EntryItem']
export type EntryOut = S['EntryOut']
export type EntryList = S['EntryList']
export type SavedEntry = S['SavedEntry']
export type RevisionList = S['RevisionList']
export type RevisionOut = S['RevisionOut']
export type PlanIn = S['PlanIn']
export type PlanOut = S['PlanOut']
export type PlanItem = S['PlanItem']
export type PlanItemIn = S['PlanItemIn']
export type SavedPlan = S['SavedPlan']
export type SummaryIn = S['SummaryIn']
export type SummaryOut = S['SummaryOut']
export type SavedSummary = S['SavedSummary']
export type LeaveIn = S['LeaveIn']
export type LeaveOut = S['LeaveOut']
export type LeaveList = S['LeaveList']
export type ReadList = S['ReadList']
export type ReadOut = S['ReadOut']
export type CaseList = S['CaseList']
export type CaseOut = S['CaseOut']
export type ReviewList = S['ReviewList']
export type ReviewOut = S['ReviewOut']
export type ReviewDetail = S['ReviewDetail']
export type VerdictIn = S['VerdictIn']
export type Signal = S['Signal']
export type CadreEntries = S['CadreEntries']
export type ErrorBody = S['ErrorBody']
export type CaseEventOut = S['CaseEventOut']
export type EvidenceOut = S['EvidenceOut']
export type CaseDossier = S['CaseDossier']

// TODO(openapi): GET /me/calendar is being added to the API in another branch; once it is merged
// and the types regenerated, these become `S['MonthCalendarOut']` and `S['CalendarDayOut']`.
// Until then they are declared here by hand, field for field as that branch's spec has them.
export interface MeCalendarDay {
  date: string
  /** a working day (工作日, including 调休上班日) */
  working: boolean
  /** holiday: a weekday off (节假日); adjusted_workday: a working Saturday or Sunday (调休上班日) */
  kind: 'workday' | 'weekend' | 'holiday' | 'adjusted_workday'
  /** the year has no official or library schedule yet: Mon–Fri assumed (待定) */
  provisional: boolean
  /** the cadre is in post on this day (between joining and leaving) */
  in_post?: boolean
  /** leave the cadre registered covers this day */
  on_leave: boolean
  /** an entry is owed for this day (stays true once the day is saved or locked; never for a future day) */
  owed: boolean
  /** for an owed day: saved after it, the entry is late */
  due: string | null
  /** for an owed day: the last day the entry can be saved */
  last_day: string | null
  /** past the last day an entry for this date can be saved */
  locked: boolean
}
export interface MeCalendar {
  month: string
  today: string
  source: 'official' | 'library' | 'provisional'
  days: MeCalendarDay[]
}
