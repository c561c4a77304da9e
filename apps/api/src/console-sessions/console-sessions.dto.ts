import { ApiProperty } from '@nestjs/swagger';
import type { ConsoleSessionEntity } from '#libs/persistence';
import { OfficerRefResponse } from '../officers/officers.dto.js';

export class ConsoleSessionResponse {
  @ApiProperty({
    format: 'uuid',
    description:
      'the session’s public id, for `DELETE /v1/console-sessions/{id}`; neither the cookie nor anything derived from it',
  })
  id!: string;

  @ApiProperty({ type: OfficerRefResponse, description: 'who signed in' })
  officer!: OfficerRefResponse;

  @ApiProperty({ type: String, format: 'date-time', description: 'the sign-in' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'last recorded use (recorded at most every minute, and every tenth of the idle timeout)',
  })
  lastSeenAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description:
      'when the session ends if it is not used again: `lastSeenAt` + CONSOLE_SESSION_IDLE_SECONDS, or `expiresAt` if earlier',
  })
  idleExpiresAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'when the session ends however active it is (sign-in + CONSOLE_SESSION_MAX_SECONDS)',
  })
  expiresAt!: Date;

  @ApiProperty({ description: 'true for the session of the caller’s own cookie' })
  current!: boolean;
}

export const consoleSessionView = (
  session: ConsoleSessionEntity,
  idleExpiresAt: Date,
  currentSessionId: string | null,
): ConsoleSessionResponse => ({
  id: session.publicId,
  officer: {
    id: session.officerId,
    email: session.officer?.email ?? '',
    role: session.officer?.role ?? 'auditor',
  },
  createdAt: session.createdAt,
  lastSeenAt: session.lastSeenAt,
  idleExpiresAt,
  expiresAt: session.expiresAt,
  current: currentSessionId !== null && session.id === currentSessionId,
});
