// Sign-in by redirect: OIDC authorization code with PKCE (no pop-ups; in-app browsers block them).
// The API is sent the id token: it checks the token's audience, and Cognito's access tokens name
// the client in `client_id`, not `aud`.

import { ErrorResponse, UserManager, WebStorageStateStore, type OidcMetadata, type User } from 'oidc-client-ts'

import { useTokens } from '@/api/client'
import { NetworkError } from '@/api/errors'
import { config, type AppConfig } from '@/config'
import { singleFlight } from '@/util/singleFlight'
import { MemoryFirstStore } from './store'

let manager: UserManager | null = null

function absolute(path: string): string {
  return new URL(path, window.location.origin).toString()
}

/** The issuer's endpoints as config.json names them, so nothing is fetched from another origin. */
export function metadata(cfg: AppConfig): { metadata?: Partial<OidcMetadata> } {
  if (!cfg.authorization_endpoint || !cfg.token_endpoint) return {}
  return {
    metadata: {
      issuer: cfg.authority,
      authorization_endpoint: cfg.authorization_endpoint,
      token_endpoint: new URL(cfg.token_endpoint, window.location.origin).toString(),
      ...(cfg.revocation_endpoint ? { revocation_endpoint: new URL(cfg.revocation_endpoint, window.location.origin).toString() } : {}),
      ...(cfg.end_session_endpoint ? { end_session_endpoint: cfg.end_session_endpoint } : {}),
    },
  }
}

export function setUpAuth(cfg: AppConfig = config()): UserManager {
  manager = new UserManager({
    authority: cfg.authority,
    client_id: cfg.client_id,
    redirect_uri: absolute(cfg.redirect_path),
    post_logout_redirect_uri: absolute(cfg.post_logout_path),
    response_type: 'code',
    scope: cfg.scope,
    ...metadata(cfg),
    loadUserInfo: false,
    monitorSession: false,
    // Refresh a minute before the tokens expire, with the refresh token (no hidden iframe).
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    userStore: new MemoryFirstStore(window.sessionStorage),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  })
  // The issuer spends a refresh token when it is used: renewals that overlap — the outbox and GET
  // /me when the network comes back after an offline reload, the automatic renewal — share one
  // request. Two would send the same refresh token twice; the second is refused, which signs the
  // person out and leaves their queued saves without a token.
  manager.signinSilent = singleFlight(manager.signinSilent.bind(manager))
  useTokens({ token: bearer, renew })
  return manager
}

function users(): UserManager {
  if (!manager) throw new Error('sign-in is not set up')
  return manager
}

/** The signed-in user with live tokens, renewing from the refresh token when needed; null when
 * signed out. Throws NetworkError when the issuer cannot be reached (offline): the person is still
 * signed in, and the refresh token is kept for when the network is back. */
export async function currentUser(): Promise<User | null> {
  const user = await users().getUser()
  if (user && !user.expired && user.id_token) return user
  if (user?.refresh_token) {
    try {
      return await users().signinSilent()
    } catch (err) {
      if (isRefusal(err)) {
        await users().removeUser()
        return null
      }
      throw new NetworkError()
    }
  }
  return null
}

/** The issuer answered and refused (the refresh token expired or was revoked): signed out. Any
 * other failure (no answer, a timeout) says nothing about the session. */
export function isRefusal(err: unknown): boolean {
  return err instanceof ErrorResponse
}

async function bearer(): Promise<string | null> {
  return (await currentUser())?.id_token ?? null
}

async function renew(): Promise<string | null> {
  const user = await users().getUser()
  if (!user?.refresh_token) return null
  try {
    return (await users().signinSilent())?.id_token ?? null
  } catch {
    return null
  }
}

/** Off to the issuer's sign-in page; back at the callback route, then at `target`. */
export async function signIn(target = '/'): Promise<void> {
  await users().signinRedirect({ state: { target } })
}

/** Finish the redirect: returns the route the person was going to. */
export async function completeSignIn(): Promise<string> {
  const user = await users().signinRedirectCallback()
  const state = user.state as { target?: unknown } | undefined
  return typeof state?.target === 'string' && state.target.startsWith('/') ? state.target : '/'
}

export async function signOut(): Promise<void> {
  const cfg = config()
  const user = await users().getUser()
  await users().removeUser()
  window.sessionStorage.clear()
  if (cfg.sign_out_url) {
    window.location.assign(cfg.sign_out_url)
    return
  }
  await users().signoutRedirect({ id_token_hint: user?.id_token })
}
