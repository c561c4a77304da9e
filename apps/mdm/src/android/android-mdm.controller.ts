import { Controller, Get, Header, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  AndroidEnrollmentsService,
  AndroidEnterpriseService,
  AndroidNotificationsService,
  PushAuthenticator,
} from '#libs/android-server';
import { DomainException } from '#libs/platform';

/** Pub/Sub push bodies are small: a Device resource with its app reports, base64. */
const MAX_PUSH_BYTES = 1024 * 1024;

/**
 * What Google and Android phones reach: AMAPI notifications (Pub/Sub push), the enrollment QR code
 * and the enterprise signup callback. No bearer tokens: each route authenticates its own way.
 */
@ApiExcludeController()
@Controller('android')
export class AndroidMdmController {
  constructor(
    private readonly authenticator: PushAuthenticator,
    private readonly notifications: AndroidNotificationsService,
    private readonly enrollments: AndroidEnrollmentsService,
    private readonly enterprise: AndroidEnterpriseService,
  ) {}

  /** 204 acknowledges (also duplicates and types Rempart ignores); 400 and 401 are logged. */
  @Post('notifications')
  @HttpCode(204)
  async notification(@Req() req: Request, @Query('token') sharedSecret?: string): Promise<void> {
    await this.authenticator.authenticate(req.headers.authorization, sharedSecret);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (raw.length > MAX_PUSH_BYTES)
      throw new DomainException('PUSH_TOO_LARGE', 'body: larger than 1 MiB', 413);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new DomainException('MALFORMED_ENVELOPE', 'body: not JSON');
    }
    await this.notifications.handle(body);
  }

  @Get('enroll/:token/qr.png')
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'no-store')
  async qrPng(@Param('token') token: string) {
    return new StreamableFile(await this.enrollments.qrPng(token));
  }

  @Get('signup-callback/:secret')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async signupCallback(@Param('secret') secret: string, @Query('enterpriseToken') enterpriseToken?: string) {
    const name = await this.enterprise.completeSignup(secret, enterpriseToken);
    return `Android Enterprise ${name} is now bound to Rempart. You can close this page.\n`;
  }
}
