import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { OFFICER_ROLES, type ApiTokenEntity, type OfficerEntity, type OfficerRole } from '#libs/persistence';

export class CreateOfficerDto {
  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    enum: OFFICER_ROLES,
    description: 'auditor reads; officer also manages; admin also manages officers',
  })
  @IsIn(OFFICER_ROLES, { message: `role must be one of ${OFFICER_ROLES.join(', ')}` })
  role!: OfficerRole;
}

export class CreateTokenDto {
  @ApiPropertyOptional({ example: 'ci-script' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'defaults to TOKEN_TTL_DAYS' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;
}

/** Who an officer is, where another answer names one (a console session's). */
export class OfficerRefResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  email!: string;

  @ApiProperty({ enum: OFFICER_ROLES })
  role!: OfficerRole;
}

export class OfficerResponse extends OfficerRefResponse {
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'set once disabled' })
  disabledAt!: Date | null;
}

export class TokenResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  officerId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'ci-script' })
  label!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt!: Date | null;
}

export class IssuedTokenResponse extends TokenResponse {
  @ApiProperty({ description: 'the bearer token; shown in this answer only, stored hashed' })
  token!: string;
}

export class MeResponse {
  @ApiProperty({ example: 'interieur', description: 'slug of the tenant' })
  tenant!: string;

  @ApiProperty({ format: 'uuid' })
  officerId!: string;

  @ApiProperty({ example: 'rssi@interieur.gouv.fr' })
  email!: string;

  @ApiProperty({ enum: OFFICER_ROLES })
  role!: OfficerRole;
}

export const officerView = (o: OfficerEntity) => ({
  id: o.id,
  email: o.email,
  role: o.role,
  createdAt: o.createdAt,
  disabledAt: o.disabledAt,
});

export const tokenView = (t: ApiTokenEntity) => ({
  id: t.id,
  officerId: t.officerId,
  label: t.label,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  lastUsedAt: t.lastUsedAt,
});
