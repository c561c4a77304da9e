import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PLATFORMS, type Platform } from '#libs/persistence';

export class EnrollmentResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'ministere-interieur', description: 'slug of the group its phones join' })
  group!: string;

  @ApiProperty({ enum: PLATFORMS })
  platform!: Platform;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;

  @ApiProperty({ type: Number, nullable: true, description: 'null: unlimited until expiry' })
  maxUses!: number | null;

  @ApiProperty({ description: 'phones enrolled with it so far' })
  uses!: number;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: Date | null;
}

export class CreatedEnrollmentResponse extends EnrollmentResponse {
  @ApiProperty({ description: 'the enrollment secret; it is part of `enrollUrl`' })
  token!: string;

  @ApiProperty({
    example: 'https://mdm.example.gouv.fr/mdm/enroll/3q2-…',
    description: 'iOS: open it on the phone (no bearer token needed) to install the enrollment profile',
  })
  enrollUrl!: string;

  @ApiPropertyOptional({ description: 'Android: the AMAPI enrollment token (typed at `afw#setup`)' })
  androidToken?: string;

  @ApiPropertyOptional({ description: 'Android: the provisioning JSON to show as a QR code' })
  qrCode?: string;

  @ApiPropertyOptional({ description: 'Android: a PNG of that QR code (bearer token needed)' })
  qrPngUrl?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Android: DPC extras for a zero-touch configuration',
  })
  zeroTouchExtras?: Record<string, unknown>;
}

/** One enrollment with its links again (GET /v1/enrollments/{id}). */
export class EnrollmentDetailResponse extends EnrollmentResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the enrollment secret; null for enrollments made before Rempart kept it',
  })
  token!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'iOS: the URL that serves the enrollment profile; Android: the work-profile enrollment URL. Null when the token was not kept',
  })
  enrollUrl!: string | null;

  @ApiPropertyOptional({ description: 'Android: the AMAPI enrollment token' })
  androidToken?: string;

  @ApiPropertyOptional({ description: 'Android: the provisioning JSON to show as a QR code' })
  qrCode?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Android: a PNG of that QR code' })
  qrPngUrl?: string | null;
}
