// A bottom sheet of options (a list of checkboxes or radios): when it opens the first option takes
// the focus, Enter or Space on an option acts on it, and the overlay that closes it on a tap has a
// name for screen readers.

import { nextTick, useId, type Ref } from 'vue'
import type { OverlayProps } from 'vant'

import { isActivation } from '@/util/keys'

// The overlay closes the sheet on a tap: as a button it needs a name.
export const SHEET_OVERLAY = { 'aria-label': '关闭' } as unknown as Partial<OverlayProps>

/** `sheet`: the template ref of the sheet's content. */
export function useBottomSheet(role: 'checkbox' | 'radio', sheet: Ref<HTMLElement | null>) {
  const uid = useId()

  function onOpened(): void {
    void nextTick(() => sheet.value?.querySelector<HTMLElement>(`[role="${role}"]`)?.focus())
  }

  /** Enter or Space on an option: `act` on it (and nothing else happens). */
  function onActivate(event: KeyboardEvent, act: () => void): void {
    if (!isActivation(event)) return
    event.preventDefault()
    act()
  }

  return { uid, onOpened, onActivate }
}
