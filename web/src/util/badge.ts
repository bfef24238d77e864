// The unread badge's text, kept apart from the inbox screen's rules: it ships with the first screen.

/** The badge: nothing when all is read; the server counts among the newest 100, so 99+ past that. */
export function badgeText(unread: number | null | undefined): string {
  if (!unread || unread < 0) return ''
  return unread > 99 ? '99+' : String(unread)
}

/** The screen reader's words for the badge. */
export function unreadWords(unread: number | null | undefined): string {
  const text = badgeText(unread)
  return text ? `${text} 条未读消息` : ''
}
