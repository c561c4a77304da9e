import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsOptional, IsString, Matches } from 'class-validator';
import { AndroidDevicesService, AndroidEnterpriseService } from '#libs/android-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';

export class BindEnterpriseDto {
  @ApiProperty({ example: 'enterprises/LC0abc123' })
  @IsString()
  @Matches(/^enterprises\/[A-Za-z0-9_-]{1,100}$/, {
    message: 'enterpriseName must look like enterprises/LC0abc123',
  })
  enterpriseName!: string;

  @ApiProperty({ description: 'the Google Cloud service-account key JSON, as downloaded (object or text)' })
  @IsDefined({ message: 'serviceAccountKey is required' })
  serviceAccountKey!: unknown;
}

export class SignupUrlDto {
  @ApiProperty({
    description: 'the Google Cloud service-account key JSON that will manage the new enterprise',
  })
  @IsDefined({ message: 'serviceAccountKey is required' })
  serviceAccountKey!: unknown;

  @ApiPropertyOptional({ description: "pre-fills the admin's e-mail on Google's signup page" })
  @IsOptional()
  @IsEmail({}, { message: 'adminEmail must be an e-mail address' })
  adminEmail?: string;
}

@ApiTags('android')
@ApiBearerAuth()
@Controller('v1/android')
export class AndroidController {
  constructor(
    private readonly enterprise: AndroidEnterpriseService,
    private readonly devices: AndroidDevicesService,
  ) {}

  @Get('enterprise')
  @ApiOperation({
    summary: "The tenant's Android Enterprise binding, and whether the stored key reaches it now",
  })
  describe(@CurrentPrincipal() principal: Principal) {
    return this.enterprise.describe(principal.tenantId);
  }

  @Put('enterprise')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Bind an existing enterprise: {enterpriseName, serviceAccountKey}; the key is checked, then stored encrypted',
  })
  bind(@CurrentActor() actor: Actor, @Body() body: BindEnterpriseDto) {
    return this.enterprise.bind(actor, body);
  }

  @Post('enterprise/signup-url')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      "Start creating a new enterprise: open signupUrl; Google sends the admin back to Rempart's callback",
  })
  signupUrl(@CurrentActor() actor: Actor, @Body() body: SignupUrlDto) {
    return this.enterprise.startSignup(actor, body);
  }

  @Post('sync')
  @ApiOperation({
    summary: 'Run a devices.list sync of the enterprise now (the worker also runs one every 15 minutes)',
  })
  sync(@CurrentPrincipal() principal: Principal) {
    return this.devices.syncTenant(principal.tenantId);
  }
}
