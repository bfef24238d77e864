// Hands a downloaded file to the browser: an object URL on a temporary <a download>, clicked,
// then removed (the bearer token rules out a plain link to the API).

export function saveFile(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.appendChild(link)
  link.click()
  link.remove()
  // Revoked a little later: some browsers read the URL after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(href), 30_000)
}
