import { Body, Controller, Get, Post, Put } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsOptional, IsString, Matches } from 'class-validator';
import { AndroidDevicesService, AndroidEnterpriseService } from '#libs/android-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { ApiDoc, ApiErrors, ApiJsonBody, ApiOfficerController } from '#libs/platform';
import { AndroidSyncResponse, EnterpriseResponse, SignupUrlResponse } from './android.openapi.js';

const SERVICE_ACCOUNT_KEY = {
  type: 'service_account',
  project_id: 'rempart-interieur',
  private_key_id: '0123abcd…',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n',
  client_email: 'rempart@rempart-interieur.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};

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
@ApiOfficerController()
@Controller('v1/android')
export class AndroidController {
  constructor(
    private readonly enterprise: AndroidEnterpriseService,
    private readonly devices: AndroidDevicesService,
  ) {}

  @Get('enterprise')
  @ApiDoc(
    'Read the Android Enterprise binding',
    'Your tenant’s enterprise, its service account, and whether the stored key reaches it now (`working`, `error`). 404 until one is bound. Any role.',
  )
  @ApiResponse({ status: 200, type: EnterpriseResponse, description: 'the binding' })
  @ApiErrors(404)
  describe(@CurrentPrincipal() principal: Principal) {
    return this.enterprise.describe(principal.tenantId);
  }

  @Put('enterprise')
  @RequireRole('admin')
  @ApiDoc(
    'Bind an existing Android enterprise',
    '`{enterpriseName, serviceAccountKey}`: the key (the Google Cloud JSON as downloaded) is checked with `enterprises.get`, then stored encrypted. Admin only; audited.',
  )
  @ApiJsonBody(BindEnterpriseDto, {
    bind: { value: { enterpriseName: 'enterprises/LC0abc123', serviceAccountKey: SERVICE_ACCOUNT_KEY } },
  })
  @ApiResponse({ status: 200, type: EnterpriseResponse, description: 'the binding' })
  @ApiErrors(400, 403, 409, 502)
  bind(@CurrentActor() actor: Actor, @Body() body: BindEnterpriseDto) {
    return this.enterprise.bind(actor, body);
  }

  @Post('enterprise/signup-url')
  @RequireRole('admin')
  @ApiDoc(
    'Start creating an Android enterprise',
    'Returns Google’s signup page (`signupUrl`) for the service account of the key; once the admin finishes there, Google sends them back to Rempart’s callback, which binds the new enterprise. Admin only; audited.',
  )
  @ApiJsonBody(SignupUrlDto, {
    signup: { value: { serviceAccountKey: SERVICE_ACCOUNT_KEY, adminEmail: 'rssi@interieur.gouv.fr' } },
  })
  @ApiResponse({ status: 201, type: SignupUrlResponse, description: 'where to sign up' })
  @ApiErrors(400, 403, 502)
  signupUrl(@CurrentActor() actor: Actor, @Body() body: SignupUrlDto) {
    return this.enterprise.startSignup(actor, body);
  }

  @Post('sync')
  @ApiDoc(
    'Sync the Android devices now',
    'Runs a `devices.list` sync of the enterprise now and answers when it is done (the worker also runs one every 15 minutes); 409 while one runs. Officer or above.',
  )
  @ApiResponse({ status: 201, type: AndroidSyncResponse, description: 'what the sync saw and wrote' })
  @ApiErrors(403, 404, 409, 502)
  sync(@CurrentPrincipal() principal: Principal) {
    return this.devices.syncTenant(principal.tenantId);
  }
}
