import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PushCertificatesService, SigningIdentitiesService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import { DomainException } from '#libs/platform';

export class CertificateAndKeyDto {
  @ApiPropertyOptional({ description: 'PEM signing certificate' })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  certificate?: string;

  @ApiPropertyOptional({ description: 'PEM private key (PKCS#8 or PKCS#1, unencrypted)' })
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  privateKey?: string;

  @ApiPropertyOptional({ type: [String], description: 'PEM intermediate and root certificates' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  chain?: string[];

  @ApiPropertyOptional({ description: 'PKCS#12 (.p12) as base64, instead of certificate + privateKey' })
  @IsOptional()
  @IsString()
  @MaxLength(131072)
  pkcs12?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

@ApiTags('apple')
@ApiBearerAuth()
@Controller('v1/apple')
export class AppleController {
  constructor(
    private readonly signing: SigningIdentitiesService,
    private readonly push: PushCertificatesService,
  ) {}

  @Get('push-certificate')
  @ApiOperation({
    summary: "The tenant's APNs MDM push certificate: topic, expiry, and a warning 30 days ahead",
  })
  pushCertificate(@CurrentPrincipal() principal: Principal) {
    return this.push.describe(principal.tenantId);
  }

  @Put('push-certificate')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Upload the APNs MDM push certificate: {certificate, privateKey} or {pkcs12, password}',
  })
  uploadPushCertificate(@CurrentActor() actor: Actor, @Body() body: CertificateAndKeyDto) {
    return this.push.upload(actor, certificateInput(body));
  }

  @Get('ca-certificate')
  @Header('Content-Type', 'application/x-pem-file')
  @ApiOperation({
    summary: "The tenant's CA certificate (PEM) that signs its profiles and device identities",
  })
  caCertificate(@CurrentPrincipal() principal: Principal) {
    return this.signing.caCertificatePem(principal.tenantId);
  }

  @Get('signing-identity')
  signingIdentity(@CurrentPrincipal() principal: Principal) {
    return this.signing.describe(principal.tenantId);
  }

  @Put('signing-identity')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Import the profile-signing identity: {certificate, privateKey, chain?} or {pkcs12, password}',
  })
  importSigningIdentity(@CurrentActor() actor: Actor, @Body() body: CertificateAndKeyDto) {
    if (body.pkcs12 !== undefined) {
      if (body.certificate !== undefined || body.privateKey !== undefined) {
        throw new DomainException(
          'AMBIGUOUS_IDENTITY',
          'send either pkcs12 + password or certificate + privateKey, not both',
        );
      }
      return this.signing.import(actor, { pkcs12Base64: body.pkcs12, password: body.password ?? '' });
    }
    if (body.certificate === undefined)
      throw new DomainException('MISSING_FIELD', 'certificate: required (or send pkcs12)');
    if (body.privateKey === undefined)
      throw new DomainException('MISSING_FIELD', 'privateKey: required with certificate');
    return this.signing.import(actor, {
      certificatePem: body.certificate,
      privateKeyPem: body.privateKey,
      chainPem: body.chain,
    });
  }
}

/** `{certificate, privateKey}` or `{pkcs12, password}`, never both or neither. */
function certificateInput(body: CertificateAndKeyDto) {
  if (body.pkcs12 !== undefined) {
    if (body.certificate !== undefined || body.privateKey !== undefined) {
      throw new DomainException(
        'AMBIGUOUS_IDENTITY',
        'send either pkcs12 + password or certificate + privateKey, not both',
      );
    }
    return { pkcs12Base64: body.pkcs12, password: body.password ?? '' };
  }
  if (body.certificate === undefined)
    throw new DomainException('MISSING_FIELD', 'certificate: required (or send pkcs12)');
  if (body.privateKey === undefined)
    throw new DomainException('MISSING_FIELD', 'privateKey: required with certificate');
  return { certificatePem: body.certificate, privateKeyPem: body.privateKey };
}
