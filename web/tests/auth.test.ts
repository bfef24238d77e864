import { describe, expect, it } from 'vitest'

import { metadata } from '@/auth/session'
import type { AppConfig } from '@/config'

const LOCAL: AppConfig = {
  authority: 'http://127.0.0.1:8080/_local',
  client_id: 'worklog-local',
  scope: 'openid',
  redirect_path: '/app/callback',
  post_logout_path: '/app/',
  sign_out_url: null,
  environment: 'local',
}

describe('where the sign-in endpoints come from', () => {
  it('is discovery when config.json names no endpoints (the local issuer, same origin)', () => {
    expect(metadata(LOCAL)).toEqual({})
  })
  it("is config.json on AWS, with the token endpoint on the app's own origin", () => {
    const aws: AppConfig = {
      ...LOCAL,
      authority: 'https://cognito-idp.cn-north-1.amazonaws.com/pool',
      environment: 'aws',
      authorization_endpoint: 'https://d.auth.example/oauth2/authorize',
      token_endpoint: '/oauth2/token',
      revocation_endpoint: '/oauth2/revoke',
    }
    const meta = metadata(aws).metadata
    expect(meta?.issuer).toBe(aws.authority)
    expect(meta?.authorization_endpoint).toBe('https://d.auth.example/oauth2/authorize')
    expect(meta?.token_endpoint).toBe(`${window.location.origin}/oauth2/token`)
    expect(meta?.revocation_endpoint).toBe(`${window.location.origin}/oauth2/revoke`)
  })
})
