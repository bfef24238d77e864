import { describe, expect, it } from 'vitest'

import { isActivation } from '@/util/keys'

function key(init: KeyboardEventInit): KeyboardEvent {
  return new KeyboardEvent('keydown', init)
}

describe('keyboard activation of radios, checkboxes and switches', () => {
  it('given Space or Enter, then the control is activated', () => {
    expect(isActivation(key({ key: ' ' }))).toBe(true)
    expect(isActivation(key({ key: 'Enter' }))).toBe(true)
  })
  it('given an Enter that belongs to an input method (composing, or keyCode 229), then nothing happens', () => {
    expect(isActivation(key({ key: 'Enter', isComposing: true }))).toBe(false)
    expect(isActivation(key({ key: 'Enter', keyCode: 229 }))).toBe(false)
  })
  it('given another key, then nothing happens', () => {
    expect(isActivation(key({ key: 'a' }))).toBe(false)
  })
})
