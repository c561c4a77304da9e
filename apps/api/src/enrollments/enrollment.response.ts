import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One enrollment with its links again, as GET /v1/enrollments/{id} shows it. */
export class EnrollmentDetailResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'cabinets' })
  group!: string;

  @ApiProperty({ enum: ['ios', 'android'] })
  platform!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;

  @ApiProperty({ type: Number, nullable: true })
  maxUses!: number | null;

  @ApiProperty()
  uses!: number;

  @ApiProperty()
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: Date | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the enrollment token; null for enrollments made before Rempart kept it',
  })
  token!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'iOS: the URL that serves the enrollment profile to a phone; Android: the work-profile enrollment URL. Null when the token was not kept',
  })
  enrollUrl!: string | null;

  @ApiPropertyOptional({ description: 'Android: the AMAPI enrollment token' })
  androidToken?: string;

  @ApiPropertyOptional({ description: 'Android: the provisioning JSON the setup wizard scans' })
  qrCode?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Android: the QR code as a PNG' })
  qrPngUrl?: string | null;
}
