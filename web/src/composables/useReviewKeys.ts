// The reviewer's keyboard on a desktop: j/k for the next/previous member, 1/2/3 for the verdict.
// Never while the person is typing (a field, a text area, anything editable), never while an IME
// is composing (the 1/2/3 of a pinyin candidate list are not a verdict), never with a modifier
// (the browser's own shortcuts), never inside a dialog.

import { onBeforeUnmount, onMounted } from 'vue'

import type { Verdict } from '@/util/reviewLabels'
import { VERDICTS } from '@/util/reviewLabels'

export type ReviewKeyAction = { kind: 'next' } | { kind: 'prev' } | { kind: 'verdict'; verdict: Verdict }

/** The parts of a KeyboardEvent the decision needs (a plain object in tests). */
export interface KeyLike {
  key: string
  isComposing?: boolean
  keyCode?: number
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
  defaultPrevented?: boolean
  target?: EventTarget | null
}

/** IMEs send keyCode 229 for keys they handle; some browsers do so without isComposing. */
const IME_KEY_CODE = 229

/** Whether keys pressed here are typing: form fields, editable content, or inside a dialog. */
export function isTypingTarget(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false
  const el = target as HTMLElement
  if (el.isContentEditable) return true
  return !!el.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"]), [role="dialog"], [role="textbox"]')
}

export function reviewKeyAction(event: KeyLike): ReviewKeyAction | null {
  if (event.defaultPrevented || event.isComposing || event.keyCode === IME_KEY_CODE) return null
  if (event.ctrlKey || event.altKey || event.metaKey) return null
  if (isTypingTarget(event.target)) return null
  if (event.key === 'j') return { kind: 'next' }
  if (event.key === 'k') return { kind: 'prev' }
  const choice = VERDICTS[Number(event.key) - 1]
  if (/^[1-3]$/.test(event.key) && choice) return { kind: 'verdict', verdict: choice.value }
  return null
}

/** Listen on the window while the calling component is mounted. */
export function useReviewKeys(handle: (action: ReviewKeyAction) => boolean | void): void {
  function onKeydown(event: KeyboardEvent): void {
    const action = reviewKeyAction(event)
    if (action && handle(action) !== false) event.preventDefault()
  }
  onMounted(() => window.addEventListener('keydown', onKeydown))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKeydown))
}
