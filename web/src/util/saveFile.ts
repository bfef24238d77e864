// Hand a file the API sent (api.download) to the browser to keep: an object URL and a temporary
// <a download>, since a plain link cannot carry the bearer token. The URL is let go once the
// browser has had time to start the download.

import type { Download } from '@/api/client'

const KEEP_URL_MS = 60_000

export function saveFile(file: Download, doc: Document = document): void {
  const url = URL.createObjectURL(file.blob)
  const link = doc.createElement('a')
  link.href = url
  link.download = file.filename
  link.rel = 'noopener'
  link.hidden = true
  doc.body.appendChild(link)
  try {
    link.click()
  } finally {
    link.remove()
    setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS)
  }
}
