import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import {
  ApiTokenEntity,
  isUniqueViolation,
  OFFICER_ROLES,
  OfficerEntity,
  type OfficerRole,
} from '#libs/persistence';
import { ConflictDomainException, DomainException, NotFoundDomainException } from '#libs/platform';
import { ApiTokenRepository, OfficerRepository } from './repositories.js';
import { hashTokenSecret, newTokenSecret } from './token-secret.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface IssuedToken {
  token: ApiTokenEntity;
  /** The bearer secret: returned once, never stored. */
  secret: string;
}

/** Officers and their bearer tokens. Every method is scoped by the actor's tenant and audited. */
@Injectable()
export class OfficersService {
  constructor(
    private readonly officers: OfficerRepository,
    private readonly tokens: ApiTokenRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, email: string, role: OfficerRole): Promise<OfficerEntity> {
    const normalised = email.trim().toLowerCase();
    if (!EMAIL.test(normalised))
      throw new DomainException('INVALID_EMAIL', `email ${JSON.stringify(email)} is not an e-mail address`);
    if (!OFFICER_ROLES.includes(role)) {
      throw new DomainException(
        'INVALID_ROLE',
        `role ${JSON.stringify(role)} must be one of ${OFFICER_ROLES.join(', ')}`,
      );
    }
    try {
      return await this.dataSource.transaction(async (manager) => {
        const officer = await this.officers.insert(
          actor.tenantId,
          { email: normalised, role, disabledAt: null },
          manager,
        );
        await this.audit.record(manager, actor, {
          action: 'officer.create',
          targetType: 'officer',
          targetId: officer.id,
          after: { email: officer.email, role: officer.role },
        });
        return officer;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictDomainException(
          'OFFICER_EXISTS',
          `an officer with email ${JSON.stringify(normalised)} already exists`,
        );
      }
      throw error;
    }
  }

  list(tenantId: string): Promise<OfficerEntity[]> {
    return this.officers.find(tenantId, {}, { order: { email: 'ASC' } });
  }

  async get(tenantId: string, officerId: string): Promise<OfficerEntity> {
    const officer = await this.officers.findOne(tenantId, { id: officerId });
    if (!officer) throw new NotFoundDomainException('officer', officerId);
    return officer;
  }

  /** The officer with this e-mail address (compared case-insensitively, as stored), or null. */
  findByEmail(tenantId: string, email: string): Promise<OfficerEntity | null> {
    return this.officers.findOne(tenantId, { email: email.trim().toLowerCase() });
  }

  /** Disables an officer; their tokens stop working at once. Their audit history stays. */
  async disable(actor: Actor, officerId: string): Promise<OfficerEntity> {
    return this.dataSource.transaction(async (manager) => {
      const officer = await this.officers.findOne(actor.tenantId, { id: officerId }, manager);
      if (!officer) throw new NotFoundDomainException('officer', officerId);
      if (officer.id === actor.officerId)
        throw new DomainException('CANNOT_DISABLE_SELF', 'an officer cannot disable themself', 409);
      if (officer.disabledAt) return officer;
      const disabledAt = new Date();
      await this.officers.update(actor.tenantId, { id: officerId }, { disabledAt }, manager);
      await this.audit.record(manager, actor, {
        action: 'officer.disable',
        targetType: 'officer',
        targetId: officer.id,
        before: { email: officer.email, disabled: false },
        after: { email: officer.email, disabled: true },
      });
      return { ...officer, disabledAt };
    });
  }

  async issueToken(
    actor: Actor,
    officerId: string,
    options: { label?: string; expiresInDays?: number } = {},
  ): Promise<IssuedToken> {
    const days = options.expiresInDays ?? this.config.TOKEN_TTL_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new DomainException('INVALID_EXPIRY', 'expiresInDays must be an integer between 1 and 3650');
    }
    return this.dataSource.transaction(async (manager) => {
      const officer = await this.officers.findOne(actor.tenantId, { id: officerId }, manager);
      if (!officer) throw new NotFoundDomainException('officer', officerId);
      if (officer.disabledAt)
        throw new DomainException('OFFICER_DISABLED', `officer ${officer.email} is disabled`, 409);
      const secret = newTokenSecret();
      const token = await this.tokens.insert(
        actor.tenantId,
        {
          officerId: officer.id,
          label: options.label?.trim() || 'default',
          secretHash: hashTokenSecret(secret),
          expiresAt: new Date(Date.now() + days * DAY_MS),
          revokedAt: null,
          lastUsedAt: null,
        },
        manager,
      );
      await this.audit.record(manager, actor, {
        action: 'token.create',
        targetType: 'api_token',
        targetId: token.id,
        after: { officer: officer.email, label: token.label, expiresAt: token.expiresAt.toISOString() },
      });
      return { token, secret };
    });
  }

  listTokens(tenantId: string): Promise<ApiTokenEntity[]> {
    return this.tokens.find(tenantId, {}, { order: { createdAt: 'DESC' } });
  }

  async revokeToken(actor: Actor, tokenId: string): Promise<ApiTokenEntity> {
    return this.dataSource.transaction(async (manager) => {
      const token = await this.tokens.findOne(actor.tenantId, { id: tokenId }, manager);
      if (!token) throw new NotFoundDomainException('token', tokenId);
      if (token.revokedAt) return token;
      const revokedAt = new Date();
      await this.tokens.update(actor.tenantId, { id: tokenId }, { revokedAt }, manager);
      await this.audit.record(manager, actor, {
        action: 'token.revoke',
        targetType: 'api_token',
        targetId: token.id,
        before: { revoked: false },
        after: { revoked: true },
      });
      return { ...token, revokedAt };
    });
  }
}
