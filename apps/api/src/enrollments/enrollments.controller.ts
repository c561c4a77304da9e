import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { AndroidEnrollmentsService } from '#libs/android-server';
import { PushCertificatesService } from '#libs/apple-server';
import { EnrollmentsService } from '#libs/fleet';
import type { EnrollmentEntity } from '#libs/persistence';
import {
  ApiDoc,
  ApiErrors,
  ApiJsonBody,
  ApiOfficerController,
  ApiPathParam,
  IsIsoDateTime,
  UuidParamPipe,
} from '#libs/platform';
import {
  CreatedEnrollmentResponse,
  EnrollmentDetailResponse,
  EnrollmentResponse,
} from './enrollments.openapi.js';

export class CreateEnrollmentDto {
  @ApiProperty({ example: 'cabinets', description: 'slug of the group the phones join' })
  @IsString()
  group!: string;

  @ApiProperty({ enum: ['ios', 'android'] })
  @IsIn(['ios', 'android'], { message: 'platform must be ios or android' })
  platform!: 'ios' | 'android';

  @ApiPropertyOptional({ description: 'ISO-8601; default 30 days from now' })
  @IsOptional()
  @IsIsoDateTime()
  expiresAt?: Date;

  @ApiPropertyOptional({
    description:
      'devices that may enroll with it; default unlimited until expiry. Android: 1 makes a one-time AMAPI token; above 1 Rempart deletes the token once that many phones enrolled',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxUses?: number;
}

const enrollmentView = (e: EnrollmentEntity) => ({
  id: e.id,
  group: e.group?.slug,
  platform: e.platform,
  expiresAt: e.expiresAt,
  maxUses: e.maxUses,
  uses: e.uses,
  createdBy: e.createdBy,
  createdAt: e.createdAt,
  revokedAt: e.revokedAt,
});

@ApiTags('enrollments')
@ApiOfficerController()
@Controller('v1/enrollments')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly android: AndroidEnrollmentsService,
    private readonly pushCertificates: PushCertificatesService,
  ) {}

  @Post()
  @ApiDoc(
    'Create an enrollment',
    'An enrollment lets phones join a group until it expires or is used up. iOS: open `enrollUrl` on the iPhone (needs the push certificate, `PUT /v1/apple/push-certificate`). Android: scan `qrCode` (or `qrPngUrl`) at setup, or type `androidToken` at `afw#setup` (needs the enterprise, `PUT /v1/android/enterprise`). Officer or above; audited.',
  )
  @ApiJsonBody(CreateEnrollmentDto, {
    ios: {
      summary: 'iPhones of a group, for a week',
      value: { group: 'cabinets', platform: 'ios', expiresAt: '2026-12-08T18:00:00+01:00' },
    },
    android: { summary: 'one Android phone', value: { group: 'cabinets', platform: 'android', maxUses: 1 } },
  })
  @ApiResponse({
    status: 201,
    type: CreatedEnrollmentResponse,
    description: 'the enrollment, with what phones need',
  })
  @ApiErrors(400, 403, 404, 409, 502)
  async create(@CurrentActor() actor: Actor, @Body() body: CreateEnrollmentDto) {
    if (body.platform === 'android') {
      const created = await this.android.create(actor, body);
      return {
        ...enrollmentView(created.enrollment),
        group: body.group,
        token: created.token,
        enrollUrl: created.enrollUrl,
        androidToken: created.androidToken,
        qrCode: created.qrCode,
        qrPngUrl: created.qrPngUrl,
        zeroTouchExtras: created.zeroTouchExtras,
      };
    }
    await this.pushCertificates.requireForEnrollment(actor.tenantId);
    const { enrollment, token } = await this.enrollments.create(actor, body);
    return {
      ...enrollmentView(enrollment),
      group: body.group,
      token,
      enrollUrl: this.enrollments.enrollUrl(token),
    };
  }

  @Get()
  @ApiDoc(
    'List the enrollments',
    'Every enrollment of your tenant with its uses, expiry and revocation; never its token. Any role.',
  )
  @ApiResponse({ status: 200, type: [EnrollmentResponse], description: 'the enrollments' })
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.enrollments.list(principal.tenantId)).map(enrollmentView);
  }

  @Get(':id')
  // Its links enroll phones into the group: those who may create enrollments, not auditors, read them.
  @RequireRole('officer')
  @ApiDoc(
    'Read one enrollment with its links',
    'The enrollment and its links again: `enrollUrl` (iOS: the profile URL; Android: the work-profile URL, with `androidToken`, `qrCode` and `qrPngUrl`). `token` and `enrollUrl` are null for enrollments created before Rempart kept their token: create a new one. Officer or above (the links enroll phones).',
  )
  @ApiPathParam('id', 'id of an enrollment (a UUID)')
  @ApiResponse({ status: 200, type: EnrollmentDetailResponse, description: 'the enrollment and its links' })
  @ApiErrors(403, 404)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParamPipe('enrollment')) id: string,
  ) {
    const enrollment = await this.enrollments.get(principal.tenantId, id);
    const token = this.enrollments.tokenOf(enrollment);
    if (enrollment.platform === 'android') {
      const links = this.android.links(enrollment, token);
      return { ...enrollmentView(enrollment), token, ...links, enrollUrl: links?.enrollUrl ?? null };
    }
    return {
      ...enrollmentView(enrollment),
      token,
      enrollUrl: token === null ? null : this.enrollments.enrollUrl(token),
    };
  }

  @Delete(':id')
  @ApiDoc(
    'Revoke an enrollment',
    'No further phone can enroll with it (Android: the AMAPI token is deleted too); phones already enrolled stay. Officer or above; audited.',
  )
  @ApiPathParam('id', 'id of an enrollment (a UUID)')
  @ApiResponse({ status: 200, type: EnrollmentResponse, description: 'the enrollment, with `revokedAt` set' })
  @ApiErrors(403, 404)
  async revoke(@CurrentActor() actor: Actor, @Param('id', new UuidParamPipe('enrollment')) id: string) {
    // Android: also deletes the AMAPI token, so that no further phone can enroll with it.
    return enrollmentView(await this.android.revoke(actor, id));
  }
}
