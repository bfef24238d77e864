// Uploading a roster file (花名册): which format it is, whether it fits the import's 4 MiB, how it
// is read in the browser (XLSX as base64, CSV and JSON as text), and how the import report's role
// changes read.

import { label, ROLE_LABELS, roleList } from './labels'

export type RosterFormat = 'xlsx' | 'csv' | 'json'

/** The import route takes bodies up to 4 MiB (docs/api.md), the JSON around the file included. */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024
/** Room for the JSON around the file ({"format": …, "content": "…", "dry_run": …}). */
const BODY_ROOM = 1024

export const ACCEPT = '.xlsx,.csv,.json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv,application/json'

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] // PK\3\4: an XLSX is a zip
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0] // the old binary .xls / .et

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b)
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase()
}

/** The first character that is not blank or a BOM, of a text file's first bytes (UTF-8 or ASCII). */
function firstChar(head: Uint8Array): string {
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number
    if (b === 0xef && head[i + 1] === 0xbb && head[i + 2] === 0xbf) {
      i += 2
      continue
    }
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue
    return String.fromCharCode(b)
  }
  return ''
}

export type Detected = { format: RosterFormat } | { problem: string }

const OLD_EXCEL = '这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中“另存为” .xlsx 格式后再上传'

/**
 * The file's format from its name and its first bytes. The name decides (花名册.xlsx, .csv,
 * .json); the bytes must agree with it (a renamed file is named as such), and decide when the name
 * has no known extension.
 */
export function detectFormat(name: string, head: Uint8Array): Detected {
  const ext = extension(name)
  const zip = startsWith(head, ZIP_MAGIC)
  const ole = startsWith(head, OLE_MAGIC)
  if (ext === 'xls' || ext === 'et' || ole) return { problem: OLD_EXCEL }
  if (ext === 'xlsx') return zip ? { format: 'xlsx' } : { problem: '文件扩展名是 .xlsx，但内容不是 Excel 工作簿，请确认选对了文件' }
  if (zip) {
    if (ext === 'csv' || ext === 'json') return { problem: `文件扩展名是 .${ext}，但内容是 Excel 工作簿，请把扩展名改为 .xlsx 或重新导出` }
    return { format: 'xlsx' }
  }
  if (ext === 'csv' || ext === 'txt') return { format: 'csv' }
  if (ext === 'json') return { format: 'json' }
  if (ext === '') {
    const c = firstChar(head)
    return c === '[' || c === '{' ? { format: 'json' } : { format: 'csv' }
  }
  return { problem: `不支持 .${ext} 文件：请上传 XLSX、CSV 或 JSON 格式的花名册` }
}

/** The size of ``n`` bytes in base64. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3)
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** The largest file of a format that fits in one import. */
export function largestFile(format: RosterFormat): number {
  const room = MAX_IMPORT_BYTES - BODY_ROOM
  return format === 'xlsx' ? Math.floor(room / 4) * 3 : room
}

/**
 * Whether a file of ``size`` bytes can be uploaded, before reading it: XLSX grows by a third as
 * base64; a text file's JSON is about its own size. Null when it fits.
 */
export function sizeProblem(size: number, format: RosterFormat): string | null {
  if (size === 0) return '文件是空的，请确认选对了文件'
  const limit = largestFile(format)
  if (size <= limit) return null
  return `文件大小 ${mib(size)}，超过了单次导入的上限（${format === 'xlsx' ? 'XLSX 文件' : '该格式'}约 ${mib(limit)}，上传内容共 4 MB）；请把花名册拆成几个文件分别导入`
}

/** Whether the request body as it will be sent fits; null when it does. */
export function bodyProblem(body: unknown): string | null {
  const bytes = new TextEncoder().encode(JSON.stringify(body)).length
  if (bytes <= MAX_IMPORT_BYTES) return null
  return `上传内容 ${mib(bytes)}，超过了单次导入 4 MB 的上限；请把花名册拆成几个文件分别导入`
}

/** Bytes as base64, in slices (String.fromCharCode takes only so many arguments at once). */
export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  const step = 0x8000
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step))
  }
  return btoa(binary)
}

/**
 * A text file's content, in the encodings Chinese office PCs save in, as the server reads bytes:
 * UTF-16 with its BOM, UTF-8 (with or without BOM), else GB18030 (Excel's "CSV" on a Chinese
 * Windows). The BOM is not part of the text.
 */
export function decodeText(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

export interface ImportBody {
  format: RosterFormat
  content: string
  encoding: 'text' | 'base64'
}

/** The import's body for a file's bytes (dry_run is added per request). */
export function importBody(format: RosterFormat, bytes: Uint8Array): ImportBody {
  return format === 'xlsx'
    ? { format, content: toBase64(bytes), encoding: 'base64' }
    : { format, content: decodeText(bytes), encoding: 'text' }
}

/** What the roster lets a cadre do (RoleState). */
export interface RoleStateLike {
  roles: readonly string[]
  unit_id: string
  left_on?: string | null
}

/** A role change as a list of plain sentences: what it sets for a new cadre, else what differs. */
export function describeRoleChange(before: RoleStateLike | null | undefined, after: RoleStateLike): string[] {
  if (!before) {
    const out = [`新增人员：${roleList(after.roles)}，单位 ${after.unit_id}`]
    if (after.left_on) out.push(`离任日期 ${after.left_on}`)
    return out
  }
  const out: string[] = []
  const added = after.roles.filter((r) => !before.roles.includes(r))
  const removed = before.roles.filter((r) => !after.roles.includes(r))
  if (added.length) out.push(`增加角色：${added.map((r) => label(ROLE_LABELS, r)).join('、')}`)
  if (removed.length) out.push(`取消角色：${removed.map((r) => label(ROLE_LABELS, r)).join('、')}`)
  if (before.unit_id !== after.unit_id) out.push(`单位：${before.unit_id} → ${after.unit_id}`)
  if ((before.left_on ?? null) !== (after.left_on ?? null)) {
    out.push(`离任日期：${before.left_on ?? '无'} → ${after.left_on ?? '无'}`)
  }
  return out.length ? out : ['无变化']
}

/** RoleChange.cause */
export const CHANGE_CAUSE_LABELS: Record<string, string> = {
  row: '本行导入',
  head_replaced: '单位负责人被文件中另一行替换',
}

/** A cadre's standing on a day: in post, left (on their last day), not yet joined. */
export function postStatus(cadre: { joined_on?: string | null; left_on?: string | null }, today: string): string {
  if (cadre.left_on && cadre.left_on < today) return '已离任'
  if (cadre.joined_on && cadre.joined_on > today) return '尚未到任'
  return '在职'
}

type Contact = {
  mobile?: string | null
  email?: string | null
  wecom_user_id?: string | null
  dingtalk_user_id?: string | null
  preferred_channel?: 'sms' | 'email' | 'wecom' | 'dingtalk' | null
}

const CONTACT_ROWS = [
  ['mobile', '手机', 'sms'],
  ['email', '邮箱', 'email'],
  ['wecom_user_id', '企业微信', 'wecom'],
  ['dingtalk_user_id', '钉钉', 'dingtalk'],
] as const

/**
 * How the roster reaches a cadre, one line a detail, the preferred channel marked. Only admins get
 * these fields from the API (the Org Dept's answer has none); none at all means the in-app inbox only.
 */
export function contactLines(cadre: Contact): string[] {
  const lines = CONTACT_ROWS.filter(([field]) => cadre[field]).map(
    ([field, name, channel]) => `${name} ${cadre[field]}${cadre.preferred_channel === channel ? '（首选）' : ''}`,
  )
  if (!lines.length) return ['未登记（仅站内消息）']
  if (!cadre.preferred_channel) lines.push('提醒方式：全区默认')
  return lines
}
