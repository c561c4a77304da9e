import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { AndroidEnrollmentsService } from '#libs/android-server';
import { PushCertificatesService } from '#libs/apple-server';
import { EnrollmentsService } from '#libs/fleet';
import type { EnrollmentEntity } from '#libs/persistence';
import { IsIsoDateTime } from '#libs/platform';
import { EnrollmentDetailResponse } from './enrollment.response.js';

export class CreateEnrollmentDto {
  @ApiProperty({ example: 'cabinets' })
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
@ApiBearerAuth()
@Controller('v1/enrollments')
export class EnrollmentsController {
  constructor(
    private readonly enrollments: EnrollmentsService,
    private readonly android: AndroidEnrollmentsService,
    private readonly pushCertificates: PushCertificatesService,
  ) {}

  @Post()
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
  async list(@CurrentPrincipal() principal: Principal) {
    return (await this.enrollments.list(principal.tenantId)).map(enrollmentView);
  }

  @Get(':id')
  // Its links enroll phones into the group: those who may create enrollments, not auditors, read them.
  @RequireRole('officer')
  @ApiOkResponse({ type: EnrollmentDetailResponse })
  @ApiOperation({
    summary: 'One enrollment with its links again (enrollUrl; Android: also qrCode and qrPngUrl)',
    description:
      'enrollUrl is null for enrollments created before Rempart kept their token (create a new one).',
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
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
  async revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ) {
    // Android: also deletes the AMAPI token, so that no further phone can enroll with it.
    return enrollmentView(await this.android.revoke(actor, id));
  }
}
