// Keyboard activation for Vant's radios, checkboxes and switches, which answer clicks only. An Enter
// that belongs to an input method (composing a Chinese word) never counts.

export function composing(event: KeyboardEvent): boolean {
  return event.isComposing || event.keyCode === 229
}

/** Space or Enter pressed to activate a control, and not by an input method. */
export function isActivation(event: KeyboardEvent): boolean {
  if (composing(event)) return false
  return event.key === ' ' || event.key === 'Enter' || event.key === 'Spacebar'
}
