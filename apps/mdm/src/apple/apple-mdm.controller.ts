import {
  Controller,
  Get,
  Headers,
  Header,
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
} from '#libs/apple-server';
import { DomainException } from '#libs/platform';

const rawBody = (req: Request): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

/** The TCP peer is the address that counts: X-Forwarded-For is whatever the sender wrote. */
const mdmRequest = (tenantSlug: string, req: Request): MdmRequest => ({
  tenantSlug,
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
  ) {}

  /** Setup Assistant (ADE): the CMS-signed MachineInfo as the body (the profile's `url`). */
  @Post('ade/:token')
  @HttpCode(200)
  @Header('Content-Type', 'application/x-apple-aspen-config')
  @Header('Content-Disposition', 'attachment; filename="enroll.mobileconfig"')
  async adeEnroll(@Param('token') token: string, @Req() req: Request) {
    return new StreamableFile(await this.ade.enrollmentProfile(token, rawBody(req)));
  }

  /** Setup Assistant's web-view variant: the same MachineInfo, base64, in x-apple-aspen-deviceinfo. */
  @Get('ade/:token')
  @Header('Content-Type', 'application/x-apple-aspen-config')
  @Header('Content-Disposition', 'attachment; filename="enroll.mobileconfig"')
  async adeEnrollWebView(
    @Param('token') token: string,
    @Headers('x-apple-aspen-deviceinfo') deviceInfo: string | undefined,
  ) {
    if (!deviceInfo || !/^[A-Za-z0-9+/=\s]+$/.test(deviceInfo)) {
      throw new DomainException(
        'MACHINE_INFO_MISSING',
        'open this URL from Setup Assistant: the x-apple-aspen-deviceinfo header (base64 MachineInfo) is missing',
        400,
      );
    }
    return new StreamableFile(await this.ade.enrollmentProfile(token, Buffer.from(deviceInfo, 'base64')));
  }

  @Get('enroll/:token')
  @Header('Content-Type', 'application/x-apple-aspen-config')
  @Header('Content-Disposition', 'attachment; filename="enroll.mobileconfig"')
  async enrollmentProfile(@Param('token') token: string) {
    return new StreamableFile(await this.enrollment.enrollmentProfile(token));
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
