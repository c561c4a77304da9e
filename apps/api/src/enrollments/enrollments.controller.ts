import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, type Principal } from '#libs/auth';
import { EnrollmentsService } from '#libs/fleet';
import type { EnrollmentEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';

export class CreateEnrollmentDto {
  @ApiProperty({ example: 'cabinets' })
  @IsString()
  group!: string;

  @ApiProperty({ enum: ['ios', 'android'] })
  @IsIn(['ios', 'android'], { message: 'platform must be ios or android' })
  platform!: 'ios' | 'android';

  @ApiPropertyOptional({ description: 'ISO-8601; default 30 days from now' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt?: Date;

  @ApiPropertyOptional({ description: 'devices that may enroll with it; default unlimited until expiry' })
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
  constructor(private readonly enrollments: EnrollmentsService) {}

  @Post()
  async create(@CurrentActor() actor: Actor, @Body() body: CreateEnrollmentDto) {
    if (body.platform === 'android') {
      throw new DomainException(
        'ANDROID_ENROLLMENT_UNAVAILABLE',
        'platform: Android enrollment (AMAPI enrollment tokens and QR codes) is not available yet',
        422,
      );
    }
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

  @Delete(':id')
  async revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
  ) {
    return enrollmentView(await this.enrollments.revoke(actor, id));
  }
}
