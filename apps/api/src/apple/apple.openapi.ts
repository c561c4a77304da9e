import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ADE_ASSIGNMENT_STATUSES, type AdeAssignmentStatus } from '#libs/persistence';

class AdeRuleResponse {
  @ApiProperty({ example: 'ministere-interieur', description: 'slug of the group these phones join' })
  group!: string;

  @ApiPropertyOptional({ type: [String], description: 'serial numbers' })
  serials?: string[];

  @ApiPropertyOptional({ description: 'case-insensitive text of the device description in ABM' })
  descriptionContains?: string;
}

export class PushCertificateResponse {
  @ApiProperty({
    example: 'com.apple.mgmt.External.2f5b...',
    description: 'the APNs topic phones are enrolled with',
  })
  topic!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notAfter!: Date;

  @ApiProperty({ example: 300 })
  expiresInDays!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'set within 30 days of expiry: renew it at identity.apple.com',
  })
  warning!: string | null;
}

export class SigningIdentityResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['generated', 'imported'] })
  origin!: 'generated' | 'imported';

  @ApiProperty({ example: 'CN=Rempart profile signing (interieur)' })
  subject!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notAfter!: Date;

  @ApiProperty({ description: 'SHA-256 fingerprint of the certificate (hex)' })
  fingerprintSha256!: string;

  @ApiProperty({ description: 'subject of the CA phones must trust' })
  caSubject!: string;
}

class AdeServerResponse {
  @ApiProperty({ type: String, nullable: true })
  organisation!: string | null;

  @ApiProperty({ type: String, nullable: true })
  serverName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  serverUuid!: string | null;

  @ApiProperty({ type: String, nullable: true })
  adminId!: string | null;
}

class AdeTokenResponse {
  @ApiProperty({ type: String, format: 'date-time' })
  uploadedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;

  @ApiProperty()
  expiresInDays!: number;

  @ApiProperty({ type: String, nullable: true, description: 'set 30 days before expiry' })
  warning!: string | null;
}

export class AdeAccountResponse {
  @ApiProperty({ enum: ['awaiting_token', 'active', 'terms_not_signed', 'token_rejected', 'token_expired'] })
  state!: string;

  @ApiProperty({ type: String, nullable: true, description: 'what to do, when something blocks ADE' })
  message!: string | null;

  @ApiProperty({ type: AdeServerResponse })
  account!: AdeServerResponse;

  @ApiProperty({ type: AdeTokenResponse, nullable: true })
  token!: AdeTokenResponse | null;

  @ApiProperty({ type: String, nullable: true, description: 'slug of the group ADE phones join by default' })
  defaultGroup!: string | null;

  @ApiProperty({ type: [AdeRuleResponse], description: 'first matching rule wins' })
  rules!: AdeRuleResponse[];

  @ApiProperty({ type: [String] })
  skipSetupItems!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncAt!: Date | null;

  @ApiProperty({ type: String, nullable: true })
  lastSyncError!: string | null;
}

export class AdeSyncQueuedResponse {
  @ApiProperty({ example: true })
  queued!: boolean;

  @ApiProperty({ description: 'the BullMQ job id' })
  jobId!: string;
}

class AdeAssignmentResponse {
  @ApiProperty({ enum: ADE_ASSIGNMENT_STATUSES })
  status!: AdeAssignmentStatus;

  @ApiProperty({ type: String, nullable: true })
  lastResult!: string | null;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextAttemptAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  assignedAt!: Date | null;
}

class AdeDeviceResponse {
  @ApiProperty({ example: 'F2LXK0AAHG7F' })
  serialNumber!: string;

  @ApiProperty({ type: String, nullable: true })
  model!: string | null;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: String, nullable: true })
  os!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Apple’s profile status: empty, assigned, pushed, removed',
  })
  profileStatus!: string | null;

  @ApiProperty({ type: String, nullable: true })
  group!: string | null;

  @ApiProperty({ type: AdeAssignmentResponse })
  assignment!: AdeAssignmentResponse;

  @ApiProperty({ type: String, nullable: true, description: 'the UDID once the phone enrolled' })
  enrolledUdid!: string | null;
}

export class AdeDevicesPage {
  @ApiProperty({ type: [AdeDeviceResponse] })
  devices!: AdeDeviceResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page' })
  nextCursor!: string | null;
}
