import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PushCertificatesService, SigningIdentitiesService } from '#libs/apple-server';
import type { Actor } from '#libs/audit';
import { CurrentActor, CurrentPrincipal, RequireRole, type Principal } from '#libs/auth';
import {
  ApiDoc,
  ApiErrors,
  ApiFileResponse,
  ApiJsonBody,
  ApiOfficerController,
  DomainException,
} from '#libs/platform';
import { PushCertificateResponse, SigningIdentityResponse } from './apple.openapi.js';

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIF...\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n';
const IDENTITY_EXAMPLES = {
  pem: {
    summary: 'certificate and key as PEM',
    value: { certificate: PEM_CERTIFICATE, privateKey: PEM_KEY },
  },
  pkcs12: {
    summary: 'a .p12 file as base64',
    value: { pkcs12: 'MIIKZQIBAzCCCi8GCSqGSIb3DQEHAaCC...', password: 'secret' },
  },
};

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

  @ApiPropertyOptional({ description: 'password of the PKCS#12 file' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

@ApiTags('apple')
@ApiOfficerController()
@Controller('v1/apple')
export class AppleController {
  constructor(
    private readonly signing: SigningIdentitiesService,
    private readonly push: PushCertificatesService,
  ) {}

  @Get('push-certificate')
  @ApiDoc(
    'Read the APNs push certificate',
    'Your tenant’s APNs MDM push certificate: its topic, expiry, and a warning 30 days ahead. 404 until one is uploaded with `PUT /v1/apple/push-certificate`. Any role.',
  )
  @ApiResponse({ status: 200, type: PushCertificateResponse, description: 'the certificate' })
  @ApiErrors(404)
  pushCertificate(@CurrentPrincipal() principal: Principal) {
    return this.push.describe(principal.tenantId);
  }

  @Put('push-certificate')
  @RequireRole('admin')
  @ApiDoc(
    'Upload the APNs push certificate',
    'The MDM push certificate from identity.apple.com, as `{certificate, privateKey}` (PEM) or `{pkcs12, password}`. iPhones cannot enroll before it is there. A renewal must keep the same topic (409 otherwise: enrolled phones would be orphaned). Admin only; audited.',
  )
  @ApiJsonBody(CertificateAndKeyDto, IDENTITY_EXAMPLES)
  @ApiResponse({ status: 200, type: PushCertificateResponse, description: 'the stored certificate' })
  @ApiErrors(400, 403, 409)
  uploadPushCertificate(@CurrentActor() actor: Actor, @Body() body: CertificateAndKeyDto) {
    return this.push.upload(actor, certificateInput(body));
  }

  @Get('ca-certificate')
  @Header('Content-Type', 'application/x-pem-file')
  @ApiDoc(
    'Download the tenant CA certificate',
    'The PEM of your tenant’s CA, which signs its profiles and the phones’ identities (generated on first use, audited). Install it where profiles must be verified. Any role.',
  )
  @ApiFileResponse(200, 'application/x-pem-file', 'the CA certificate (PEM)')
  caCertificate(@CurrentPrincipal() principal: Principal) {
    return this.signing.caCertificatePem(principal.tenantId);
  }

  @Get('signing-identity')
  @ApiDoc(
    'Read the profile-signing identity',
    'The certificate that signs your profiles: generated under your tenant CA on first use, or imported. Any role.',
  )
  @ApiResponse({ status: 200, type: SigningIdentityResponse, description: 'the identity' })
  signingIdentity(@CurrentPrincipal() principal: Principal) {
    return this.signing.describe(principal.tenantId);
  }

  @Put('signing-identity')
  @RequireRole('admin')
  @ApiDoc(
    'Import a profile-signing identity',
    'Sign profiles with your own certificate (e.g. one phones already trust): `{certificate, privateKey, chain?}` (PEM) or `{pkcs12, password}`. The private key is stored encrypted. Admin only; audited.',
  )
  @ApiJsonBody(CertificateAndKeyDto, IDENTITY_EXAMPLES)
  @ApiResponse({ status: 200, type: SigningIdentityResponse, description: 'the imported identity' })
  @ApiErrors(400, 403)
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
      throw new DomainException('MISSING_FIELD', 'certificate: is required (or send pkcs12 and password)');
    if (body.privateKey === undefined)
      throw new DomainException('MISSING_FIELD', 'privateKey: is required with certificate');
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
    throw new DomainException('MISSING_FIELD', 'certificate: is required (or send pkcs12 and password)');
  if (body.privateKey === undefined)
    throw new DomainException('MISSING_FIELD', 'privateKey: is required with certificate');
  return { certificatePem: body.certificate, privateKeyPem: body.privateKey };
}
