import * as client from 'openid-client';
import type { OidcConfig } from '../platform/config.js';
import type { Db } from '../platform/db/database.js';
import { AppError, ForbiddenError, UnauthenticatedError } from '../platform/errors.js';
import type { AuthService, ClientMeta, SessionOpened } from './auth.service.js';
import { sessionRepository } from './session.repository.js';
import { userRepository } from './user.repository.js';

const FLOW_TTL_MS = 10 * 60_000;

/**
 * Provincial single sign-on over OpenID Connect (authorization code + PKCE). A govhub account must
 * already exist: the provider's username claim finds it, and the first sign-in links the account to
 * the provider's subject so that later renames at the provider cannot take over another account.
 */
export class OidcService {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly deps: { db: Db; auth: AuthService; config: OidcConfig }) {}

  private configuration(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, allowHttp } = this.deps.config;
    this.discovered ??= client
      .discovery(new URL(issuer), clientId, clientSecret, undefined, {
        ...(allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((cause: unknown) => {
        this.discovered = undefined;
        throw new AppError(502, 'OIDC_UNAVAILABLE', 'error.oidcUnavailable', { cause });
      });
    return this.discovered;
  }

  /** Starts a sign-in: returns the provider URL to redirect the browser to. */
  async start(returnTo: string | undefined): Promise<URL> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await sessionRepository.insertFlow(this.deps.db, {
      state,
      nonce,
      code_verifier: codeVerifier,
      return_to: returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : null,
    });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.deps.config.redirectUri,
      scope: this.deps.config.scope,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /** Completes a sign-in from the provider's redirect back to us. */
  async callback(currentUrl: URL, meta: ClientMeta): Promise<SessionOpened & { returnTo: string }> {
    const config = await this.configuration();
    const state = currentUrl.searchParams.get('state') ?? '';
    const flow = await sessionRepository.takeFlow(this.deps.db, state, new Date(Date.now() - FLOW_TTL_MS));
    if (!flow) {
      throw new UnauthenticatedError('OIDC_STATE_INVALID', 'error.oidcStateInvalid');
    }
    // The token request must repeat the redirect_uri of the authorization request exactly, so it comes
    // from configuration, not from the URL as this server saw it (behind a TLS-terminating proxy that
    // is http://<internal host>/…, which the provider rejects as invalid_grant).
    const responseUrl = new URL(this.deps.config.redirectUri);
    responseUrl.search = currentUrl.search;
    responseUrl.hash = '';
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    let claims: client.IDToken | undefined;
    try {
      tokens = await client.authorizationCodeGrant(config, responseUrl, {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      });
      claims = tokens.claims();
    } catch (cause) {
      throw new UnauthenticatedError('OIDC_FAILED', 'error.oidcFailed', { cause });
    }
    if (!claims) {
      throw new UnauthenticatedError('OIDC_FAILED', 'error.oidcFailed');
    }
    const subject = `${claims.iss}|${claims.sub}`;
    let user = await userRepository.byOidcSubject(this.deps.db, subject);
    if (!user) {
      const username = await this.username(config, tokens, claims);
      const candidate =
        username === undefined ? undefined : await userRepository.byUsername(this.deps.db, username);
      if (candidate && candidate.oidc_subject === null) {
        await userRepository.update(this.deps.db, candidate.id, { oidc_subject: subject });
        user = { ...candidate, oidc_subject: subject };
      }
    }
    if (!user || user.status !== 'active') {
      throw new ForbiddenError('OIDC_NO_ACCOUNT', 'error.oidcNoAccount');
    }
    const opened = await this.deps.auth.openSession(user, 'cookie', meta, 'oidc');
    return { ...opened, returnTo: flow.return_to ?? '/' };
  }

  /**
   * The username claim, from the ID token or else from the UserInfo endpoint: conformant providers
   * put profile claims (preferred_username among them) only in UserInfo when the ID token comes from
   * the token endpoint.
   */
  private async username(
    config: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: client.IDToken,
  ): Promise<string | undefined> {
    const name = this.deps.config.usernameClaim;
    if (typeof claims[name] === 'string') {
      return claims[name];
    }
    let info: client.UserInfoResponse;
    try {
      info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    } catch (cause) {
      throw new UnauthenticatedError('OIDC_FAILED', 'error.oidcFailed', { cause });
    }
    const value = info[name];
    return typeof value === 'string' ? value : undefined;
  }
}
