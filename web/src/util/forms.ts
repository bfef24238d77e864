// Rules shared by the editors: counting characters as the server counts them, and reading the
// server's 422 details back onto the form's fields.

import type { ErrorDetail } from '@/api/errors'

/** Characters as the server counts them (code points; an emoji is one, a CJK character is one). */
export function charCount(text: string): number {
  return [...text].length
}

/** Whether a text has anything in it but blanks (the server trims the ends and then needs ≥ 1). */
export function filled(text: string | null | undefined): boolean {
  return !!text && text.trim().length > 0
}

/** One problem of a form, on one field: `items.0.content`, `reason`, `from`… */
export interface FieldError {
  field: string
  message: string
}

const CJK = /[\u4e00-\u9fff]/

/** What a validation type means, for details whose `msg` is the validator's English. */
const TYPE_WORDS: Record<string, string> = {
  missing: '请填写此项',
  string_too_short: '请填写此项',
  string_too_long: '超过字数上限，请删减',
  too_short: '至少需要一项',
  too_long: '条目过多，请合并或删减',
  forbidden_character: '含有不允许的控制字符或不可见字符（常见于从其他软件粘贴的内容），请删除后重新输入',
  string_pattern_mismatch: '格式不正确',
  date_from_datetime_parsing: '日期不正确',
  date_parsing: '日期不正确',
  literal_error: '请从选项中选择',
  enum: '请从选项中选择',
  extra_forbidden: '包含无法识别的内容',
}

/**
 * The form fields a 422's details name, e.g. `{loc: ["body", "items", 2, "content"]}` → `items.2.content`.
 * The server leaves out a list index of 0 (`["body", "items", "content"]` is the first item), so a
 * name straight after a list field is read as index 0.
 */
export function fieldErrors(details: readonly ErrorDetail[], lists: readonly string[] = ['items']): FieldError[] {
  const out: FieldError[] = []
  for (const d of details) {
    const loc = Array.isArray(d.loc) ? (d.loc as unknown[]) : []
    const path: string[] = []
    for (const [i, part] of loc.entries()) {
      if (i === 0 && (part === 'body' || part === 'query' || part === 'path')) continue
      path.push(String(part))
      const next = loc[i + 1]
      if (lists.includes(String(part)) && typeof next === 'string') path.push('0')
    }
    const msg = typeof d.msg === 'string' ? d.msg : typeof d.message === 'string' ? d.message : ''
    const type = typeof d.type === 'string' ? d.type : ''
    const message = CJK.test(msg) ? msg : (TYPE_WORDS[type] ?? '内容不符合要求，请检查后重试')
    out.push({ field: path.join('.'), message })
  }
  return out
}

/** The first message for each field. */
export function byField(errors: readonly FieldError[]): Record<string, string> {
  const map: Record<string, string> = {}
  for (const e of errors) if (!(e.field in map)) map[e.field] = e.message
  return map
}
