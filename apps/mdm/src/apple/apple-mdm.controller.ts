import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  AdeEnrollmentService,
  AppleEnrollmentService,
  AppleMdmService,
  type MdmRequest,
  PhoneFacingNotFound,
} from '#libs/apple-server';
import { AuthFailureLimiter, clientAddress, DomainException } from '#libs/platform';

/** ADE refusals that mean someone is guessing (not a phone of ours that is merely early). */
const ADE_GUESSES = new Set(['ADE_URL_UNKNOWN', 'MACHINE_INFO_UNTRUSTED', 'MACHINE_INFO_BAD_SIGNATURE']);

const rawBody = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

/**
 * The profile's type and attachment name go on the profile only: set by decorators, they would also
 * label an error (a JSON body) as a profile to download, and Safari would offer to install it.
 */
const enrollmentProfileFile = (profile: Buffer) =>
  new StreamableFile(profile, {
    type: 'application/x-apple-aspen-config',
    disposition: 'attachment; filename="enroll.mobileconfig"',
  });

/** The TCP peer is the address that counts: X-Forwarded-For is whatever the sender wrote. */
const mdmRequest = (tenantId: string, req: Request): MdmRequest => ({
  tenantId,
  body: rawBody(req),
  headers: req.headers,
  remoteAddress: req.socket.remoteAddress,
});

/**
 * What iPhones talk to. No bearer tokens here: phones present an enrollment token (enrollUrl), a
 * SCEP challenge, then their identity certificate on every check-in.
 */
@ApiExcludeController()
@Controller('mdm')
export class AppleMdmController {
  constructor(
    private readonly enrollment: AppleEnrollmentService,
    private readonly mdm: AppleMdmService,
    private readonly ade: AdeEnrollmentService,
    private readonly failures: AuthFailureLimiter,
  ) {}

  /** Setup Assistant (ADE): the CMS-signed MachineInfo as the body (the profile's `url`). */
  @Post('ade/:token')
  @HttpCode(200)
  async adeEnroll(@Param('token') token: string, @Req() req: Request) {
    return this.adeProfile(req, token, rawBody(req));
  }

  /** Setup Assistant's web-view variant: the same MachineInfo, base64, in x-apple-aspen-deviceinfo. */
  @Get('ade/:token')
  async adeEnrollWebView(
    @Param('token') token: string,
    @Headers('x-apple-aspen-deviceinfo') deviceInfo: string | undefined,
    @Req() req: Request,
  ) {
    if (!deviceInfo || !/^[A-Za-z0-9+/=\s]+$/.test(deviceInfo)) {
      throw new DomainException(
        'MACHINE_INFO_MISSING',
        'open this URL from Setup Assistant: the x-apple-aspen-deviceinfo header (base64 MachineInfo) is missing',
        400,
      );
    }
    return this.adeProfile(req, token, Buffer.from(deviceInfo, 'base64'));
  }

  /** The ADE URL token is a bearer secret, and a forged MachineInfo a guess: both count as failures. */
  private async adeProfile(req: Request, token: string, machineInfo: Buffer) {
    const address = clientAddress(req);
    await this.failures.assertAllowed(address);
    try {
      return enrollmentProfileFile(await this.ade.enrollmentProfile(token, machineInfo));
    } catch (error) {
      if (error instanceof DomainException && ADE_GUESSES.has(error.code)) {
        await this.failures.recordFailure(address);
      }
      throw error;
    }
  }

  @Get('enroll/:token')
  async enrollmentProfile(@Param('token') token: string, @Req() req: Request) {
    // Enrollment tokens are bearer secrets in a URL: an address that keeps guessing is cut off.
    const address = clientAddress(req);
    await this.failures.assertAllowed(address);
    try {
      return enrollmentProfileFile(await this.enrollment.enrollmentProfile(token));
    } catch (error) {
      if (error instanceof PhoneFacingNotFound) await this.failures.recordFailure(address);
      throw error;
    }
  }

  @Get(':tenant/scep')
  async scepGet(
    @Param('tenant') tenant: string,
    @Query() query: Record<string, string>,
    @Res() res: Response,
  ) {
    const response = await this.enrollment.scepRequest(tenant, query);
    res.status(response.status).type(response.contentType).send(response.body);
  }

  @Post(':tenant/scep')
  async scepPost(
    @Param('tenant') tenant: string,
    @Query() query: Record<string, string>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const response = await this.enrollment.scepRequest(tenant, query, rawBody(req));
    res.status(response.status).type(response.contentType).send(response.body);
  }

  @Put(':tenant/checkin')
  @HttpCode(200)
  async checkIn(@Param('tenant') tenant: string, @Req() req: Request) {
    await this.mdm.checkIn(mdmRequest(tenant, req));
    return '';
  }

  @Put(':tenant/server')
  async report(@Param('tenant') tenant: string, @Req() req: Request, @Res() res: Response) {
    const next = await this.mdm.report(mdmRequest(tenant, req));
    if (!next) {
      res.status(200).end();
      return;
    }
    res.status(200).type('application/xml').send(next);
  }
}
