// Whether the screen is a desk's (from 1024 px): a screen that lays out differently there (a table
// instead of cards) renders one layout only, so ids and test hooks are never doubled.

import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

export const WIDE_QUERY = '(min-width: 1024px)'

export function useWide(): Ref<boolean> {
  const query = typeof window.matchMedia === 'function' ? window.matchMedia(WIDE_QUERY) : null
  const wide = ref(query?.matches ?? false)
  const onChange = (e: MediaQueryListEvent): void => {
    wide.value = e.matches
  }
  onMounted(() => query?.addEventListener('change', onChange))
  onBeforeUnmount(() => query?.removeEventListener('change', onChange))
  return wide
}
