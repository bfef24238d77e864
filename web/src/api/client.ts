// The one place that talks to the API: bearer token, Idempotency-Key, JSON, the error body.
// Screens never call fetch themselves.

import { ApiError, NetworkError, errorFromResponse } from './errors'

export type TokenSource = {
  /** The bearer token to send now, or null when signed out. */
  token(): Promise<string | null>
  /** Called once on a 401 for an expired token: renew and return the new token, or null. */
  renew(): Promise<string | null>
}

let tokens: TokenSource = { token: async () => null, renew: async () => null }

export function useTokens(source: TokenSource): void {
  tokens = source
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>
  body?: unknown
  idempotencyKey?: string
  signal?: AbortSignal
}

function url(path: string, query?: RequestOptions['query']): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
  const s = params.toString()
  return s ? `${path}?${s}` : path
}

async function send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  try {
    return await fetch(url(path, options.query), {
      method,
      headers,
      body,
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new NetworkError()
  }
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(method, path, options, await tokens.token())
  if (response.status === 401) {
    const renewed = await tokens.renew()
    if (renewed) response = await send(method, path, options, renewed)
  }
  if (!response.ok) throw await errorFromResponse(response)
  if (response.status === 204) return undefined as T
  try {
    return (await response.json()) as T
  } catch {
    throw new ApiError(response.status, 'bad_response', '服务器返回的内容无法识别，请稍后重试')
  }
}

/** A file the API sends (an XLSX sheet): its bytes and the name the server gave it. */
export interface Download {
  blob: Blob
  filename: string
}

/**
 * The file name of a Content-Disposition header: the RFC 5987 `filename*=UTF-8''…` (a Chinese
 * name) when present, else the plain `filename="…"`, else `fallback`.
 */
export function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)
  if (extended) {
    try {
      return decodeURIComponent((extended[1] ?? '').trim()) || fallback
    } catch {
      // a malformed encoding: fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition) ?? /filename\s*=\s*([^;]+)/i.exec(disposition)
  return plain?.[1]?.trim() || fallback
}

/** GET a file with the bearer token (a link cannot send it): the bytes and the server's file name. */
export async function download(path: string, query?: RequestOptions['query']): Promise<Download> {
  let response = await send('GET', path, { query }, await tokens.token())
  if (response.status === 401) {
    const renewed = await tokens.renew()
    if (renewed) response = await send('GET', path, { query }, renewed)
  }
  if (!response.ok) throw await errorFromResponse(response)
  let blob: Blob
  try {
    blob = await response.blob()
  } catch {
    throw new NetworkError()
  }
  const fallback = path.split('/').pop() || 'download'
  return { blob, filename: filenameOf(response.headers.get('Content-Disposition'), fallback) }
}

// Reads started before a screen asks for them (see prefetch); each is handed out once, while fresh.
const PREFETCH_FRESH_MS = 10_000
const prefetched = new Map<string, { at: number; answer: Promise<unknown> }>()

/**
 * Start a GET now so that the screen that asks for the same path shortly gets this answer instead
 * of waiting a round trip more (today's entry and plan, in parallel with GET /me). Only a path
 * asked for within 10 s, once, uses it; anything else is simply never read.
 */
export function prefetch(path: string, now = Date.now()): void {
  for (const [key, kept] of prefetched) if (now - kept.at > PREFETCH_FRESH_MS) prefetched.delete(key)
  if (prefetched.has(path)) return
  const answer = request<unknown>('GET', path)
  answer.catch(() => undefined) // read by the screen, or by nobody
  prefetched.set(path, { at: now, answer })
}

function takePrefetched<T>(path: string, now = Date.now()): Promise<T> | null {
  const kept = prefetched.get(path)
  if (!kept) return null
  prefetched.delete(path)
  return now - kept.at > PREFETCH_FRESH_MS ? null : (kept.answer as Promise<T>)
}

/** For tests: forget what was prefetched. */
export function forgetPrefetched(): void {
  prefetched.clear()
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
    (query === undefined && !signal ? takePrefetched<T>(path) : null) ?? request<T>('GET', path, { query, signal }),
  put: <T>(path: string, body: unknown, idempotencyKey?: string) =>
    request<T>('PUT', path, { body, idempotencyKey }),
  post: <T>(path: string, body: unknown, idempotencyKey?: string) =>
    request<T>('POST', path, { body, idempotencyKey }),
  download: (path: string, params?: RequestOptions['query']) => download(path, params),
}
