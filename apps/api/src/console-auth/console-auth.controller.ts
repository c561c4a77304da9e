import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { stringifySetCookie, type SerializeOptions } from 'cookie';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AuditService } from '#libs/audit';
import {
  ConsoleSessionsService,
  ConsoleSignInService,
  CSRF_COOKIE,
  CSRF_HEADER,
  readCookie,
  SESSION_COOKIE,
  SignInRefused,
} from '#libs/auth';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { currentRequestId, Public } from '#libs/platform';
import { OidcClientService, ProviderError, ProviderUnreachable } from './oidc-client.service.js';
import {
  newTransaction,
  openTransactions,
  safeReturnTo,
  sealTransactions,
  TRANSACTION_COOKIE,
  type SignInTransaction,
} from './sign-in-transaction.js';

/** The codes the console page shows after a failed sign-in (`/?signin_error=<code>`). */
export type SignInErrorCode =
  | 'not_configured'
  | 'provider_unreachable'
  | 'provider_error'
  | 'state_mismatch'
  | 'expired'
  | 'not_authorized';

/** An expired transaction cookie still reaches the callback for an hour, so it can say `expired`. */
const TRANSACTION_COOKIE_GRACE_SECONDS = 3600;

/**
 * Console sign-in through the organisation's OpenID Connect provider (authorization code + PKCE),
 * and sign-out. Every answer is a redirect to a console page, never an error page.
 */
@ApiExcludeController()
@Public()
@Controller('auth')
export class ConsoleAuthController {
  private readonly logger = new Logger(ConsoleAuthController.name);

  constructor(
    private readonly oidc: OidcClientService,
    private readonly signIns: ConsoleSignInService,
    private readonly sessions: ConsoleSessionsService,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('login')
  async login(
    @Query('returnTo') returnTo: unknown,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.oidc.enabled) return this.fail(response, 'not_configured');
    const transaction = newTransaction(
      safeReturnTo(returnTo, this.config.CONSOLE_PUBLIC_URL),
      this.config.CONSOLE_SIGNIN_TIMEOUT_SECONDS,
    );
    let target: URL;
    try {
      target = await this.oidc.authorizationUrl(transaction);
    } catch (error) {
      return this.fail(
        response,
        error instanceof ProviderUnreachable ? 'provider_unreachable' : 'provider_error',
      );
    }
    // Sign-ins another tab of this browser started and has not finished are kept beside this one.
    const pending = openTransactions(readCookie(request, TRANSACTION_COOKIE), this.config.masterKey).filter(
      (other) => other.expiresAt > Date.now(),
    );
    this.setTransactions(response, [...pending, transaction]);
    response.redirect(302, target.href);
  }

  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.oidc.enabled) return this.fail(response, 'not_configured');
    const pending = openTransactions(readCookie(request, TRANSACTION_COOKIE), this.config.masterKey);
    const state = typeof request.query.state === 'string' ? request.query.state : undefined;
    const transaction = pending.find((t) => t.state === state);
    // Whatever happens next, this transaction is spent; other tabs' sign-ins stay pending.
    const others = pending.filter((t) => t !== transaction && t.expiresAt > Date.now());
    if (others.length > 0) this.setTransactions(response, others);
    else this.clearCookie(response, TRANSACTION_COOKIE, '/auth', true);
    if (!transaction) return this.fail(response, 'state_mismatch');
    if (transaction.expiresAt <= Date.now()) return this.fail(response, 'expired');
    const search = request.originalUrl.includes('?')
      ? request.originalUrl.slice(request.originalUrl.indexOf('?'))
      : '';
    const callbackUrl = new URL(`${this.oidc.redirectUri}${search}`);
    try {
      const identity = await this.oidc.identify(callbackUrl, transaction);
      const { officer } = await this.signIns.signIn(identity.claims);
      // Signing in again in the same browser replaces the session it had.
      const previous = readCookie(request, SESSION_COOKIE);
      const replaced = previous === undefined ? null : await this.sessions.find(previous);
      if (replaced) await this.sessions.end(replaced);
      const opened = await this.sessions.open(officer, identity.idToken);
      const maxAge = this.config.CONSOLE_SESSION_MAX_SECONDS;
      response.append(
        'Set-Cookie',
        stringifySetCookie(SESSION_COOKIE, opened.secret, { ...this.cookieAttributes(true), maxAge }),
      );
      response.append(
        'Set-Cookie',
        stringifySetCookie(CSRF_COOKIE, opened.csrfToken, { ...this.cookieAttributes(false), maxAge }),
      );
      response.redirect(302, transaction.returnTo);
    } catch (error) {
      if (error instanceof SignInRefused) return this.fail(response, 'not_authorized');
      if (error instanceof ProviderUnreachable) return this.fail(response, 'provider_unreachable');
      if (error instanceof ProviderError) return this.fail(response, 'provider_error');
      throw error;
    }
  }

  /**
   * Ends the console session (CSRF token required when there is one) and clears both cookies.
   * 200 `{endSessionUrl}` when the provider can end its own session too (the page goes there), else 204.
   */
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const secret = readCookie(request, SESSION_COOKIE);
    const session = secret === undefined ? null : await this.sessions.find(secret);
    let endSessionUrl: string | null = null;
    if (session) {
      this.sessions.assertCsrf(session, request.header(CSRF_HEADER));
      await this.sessions.end(session);
      await this.dataSource.transaction((manager) =>
        this.audit.record(
          manager,
          {
            tenantId: session.tenantId,
            officerId: session.officerId,
            label: session.officer?.email ?? session.officerId,
            requestId: currentRequestId() ?? null,
          },
          { action: 'console.signout', targetType: 'officer', targetId: session.officerId },
        ),
      );
      endSessionUrl = await this.oidc.endSessionUrl(session.idToken);
    }
    this.clearCookie(response, SESSION_COOKIE, '/', true);
    this.clearCookie(response, CSRF_COOKIE, '/', false);
    if (endSessionUrl === null) return undefined;
    response.status(200);
    return { endSessionUrl };
  }

  private fail(response: Response, code: SignInErrorCode): void {
    this.logger.log(`console sign-in failed: ${code}`);
    response.redirect(302, `/?signin_error=${code}`);
  }

  /** Lax, not Strict: the provider sends the browser back with a cross-site top-level navigation. */
  private cookieAttributes(httpOnly: boolean): SerializeOptions {
    return {
      httpOnly,
      sameSite: 'lax',
      secure: this.config.CONSOLE_PUBLIC_URL.startsWith('https:'),
      path: '/',
    };
  }

  private setTransactions(response: Response, transactions: SignInTransaction[]): void {
    response.append(
      'Set-Cookie',
      stringifySetCookie(TRANSACTION_COOKIE, sealTransactions(transactions, this.config.masterKey), {
        ...this.cookieAttributes(true),
        path: '/auth',
        maxAge: this.config.CONSOLE_SIGNIN_TIMEOUT_SECONDS + TRANSACTION_COOKIE_GRACE_SECONDS,
      }),
    );
  }

  private clearCookie(response: Response, name: string, path: string, httpOnly: boolean) {
    response.append(
      'Set-Cookie',
      stringifySetCookie(name, '', {
        ...this.cookieAttributes(httpOnly),
        path,
        maxAge: 0,
        expires: new Date(0),
      }),
    );
  }
}
