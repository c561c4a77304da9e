import { ApiProperty } from '@nestjs/swagger';

export class EnterpriseResponse {
  @ApiProperty({ example: 'enterprises/LC0abc123' })
  enterpriseName!: string;

  @ApiProperty({ example: 'rempart-interieur', description: 'Google Cloud project of the key' })
  projectId!: string;

  @ApiProperty({ example: 'rempart@rempart-interieur.iam.gserviceaccount.com' })
  serviceAccountEmail!: string;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  boundBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  boundAt!: Date;

  @ApiProperty({ description: 'whether `enterprises.get` succeeded with the stored key just now' })
  working!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'why not, when it failed' })
  error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  checkedAt!: Date | null;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastSyncAt!: Date | null;

  @ApiProperty({ type: Number, nullable: true })
  lastSyncDevices!: number | null;
}

export class SignupUrlResponse {
  @ApiProperty({ description: 'open it: Google’s page where the admin creates the enterprise' })
  signupUrl!: string;

  @ApiProperty({ example: 'signupUrls/C1a2b3c4d5' })
  signupUrlName!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;
}

export class AndroidSyncResponse {
  @ApiProperty({ description: 'devices AMAPI listed' })
  devices!: number;

  @ApiProperty()
  pages!: number;

  @ApiProperty({ description: 'device rows written' })
  written!: number;

  @ApiProperty({ description: 'devices of no enrollment of this tenant' })
  unmatched!: number;

  @ApiProperty({ description: 'devices AMAPI described in a way Rempart could not read' })
  invalid!: number;

  @ApiProperty()
  seconds!: number;
}
