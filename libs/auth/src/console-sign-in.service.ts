import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { OFFICER_ROLES, OfficerEntity, type OfficerRole, TenantEntity } from '#libs/persistence';
import { ConflictDomainException, currentRequestId, DomainException } from '#libs/platform';
import { OfficersService } from './officers.service.js';
import { roleSatisfies } from './roles.js';

/** What the provider said about the person signing in (ID token claims, completed by userinfo). */
export type IdentityClaims = Record<string, unknown> & { sub: string };

/** A sign-in the provider accepted but Rempart does not; the console shows `not_authorized`. */
export class SignInRefused extends DomainException {
  constructor(message: string) {
    super('SIGNIN_REFUSED', message, 403);
  }
}

export interface SignedInOfficer {
  officer: OfficerEntity;
  /** True when this sign-in created the officer (first sign-in, role from the claim). */
  created: boolean;
}

/**
 * Turns a person the provider authenticated into an officer: matched by e-mail (their role is the
 * one stored), else created with the role the configured claim gives, else refused. Every outcome
 * is audited in the tenant concerned.
 */
@Injectable()
export class ConsoleSignInService {
  private readonly logger = new Logger(ConsoleSignInService.name);

  constructor(
    @InjectRepository(OfficerEntity) private readonly officers: Repository<OfficerEntity>,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    private readonly officersService: OfficersService,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async signIn(claims: IdentityClaims): Promise<SignedInOfficer> {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
    const who = email ?? `sub:${claims.sub}`;
    const homeTenant = await this.homeTenant();
    if (!email) {
      throw await this.refusal(
        homeTenant,
        null,
        who,
        'the provider sent no email claim (is the email scope granted?)',
      );
    }
    if (claims.email_verified === false) {
      throw await this.refusal(homeTenant, null, who, `the provider has not verified ${email}`);
    }
    const matches = await this.officers.find({
      where: homeTenant ? { email, tenantId: homeTenant.id } : { email },
    });
    if (matches.length > 1) {
      const reason = `${email} is an officer of several tenants; set OIDC_TENANT`;
      for (const officer of matches.slice(1))
        await this.refusal({ id: officer.tenantId }, officer.id, who, reason);
      throw await this.refusal({ id: matches[0].tenantId }, matches[0].id, who, reason);
    }
    const existing = matches[0];
    if (existing) {
      if (existing.disabledAt)
        throw await this.refusal({ id: existing.tenantId }, existing.id, who, `officer ${email} is disabled`);
      await this.recordSignIn(existing, claims, false);
      return { officer: existing, created: false };
    }
    const role = this.roleFromClaims(claims);
    if (!this.config.OIDC_ROLE_CLAIM) {
      throw await this.refusal(
        homeTenant,
        null,
        who,
        `${email} is not an officer and OIDC_ROLE_CLAIM is not set`,
      );
    }
    if (!role) {
      throw await this.refusal(
        homeTenant,
        null,
        who,
        `${email} is not an officer and claim ${this.config.OIDC_ROLE_CLAIM} names no role (${OFFICER_ROLES.join(', ')})`,
      );
    }
    if (!homeTenant) {
      throw await this.refusal(
        null,
        null,
        who,
        `${email} is not an officer and no tenant is set for first sign-ins (OIDC_TENANT)`,
      );
    }
    const officer = await this.createOfficer(homeTenant!, email!, role!);
    await this.recordSignIn(officer, claims, true);
    return { officer, created: true };
  }

  /** OIDC_TENANT, or the only tenant when there is exactly one; null when neither. */
  private async homeTenant(): Promise<Pick<TenantEntity, 'id'> | null> {
    if (this.config.OIDC_TENANT) {
      const tenant = await this.tenants.findOne({ where: { slug: this.config.OIDC_TENANT } });
      if (!tenant) {
        this.logger.warn(
          `OIDC_TENANT ${this.config.OIDC_TENANT} is not a tenant; console sign-ins are refused`,
        );
        throw new SignInRefused(`OIDC_TENANT ${this.config.OIDC_TENANT} is not a tenant`);
      }
      return tenant;
    }
    const tenants = await this.tenants.find({ take: 2 });
    return tenants.length === 1 ? tenants[0] : null;
  }

  /** The role the configured claim gives: a role name, or a list of names (the highest counts). */
  private roleFromClaims(claims: IdentityClaims): OfficerRole | undefined {
    const name = this.config.OIDC_ROLE_CLAIM;
    if (!name) return undefined;
    // Namespaced claims (https://example.org/roles) contain dots: the whole name is tried first.
    const value = name in claims ? claims[name] : claimAtPath(claims, name.split('.'));
    const candidates = (Array.isArray(value) ? value : [value])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.trim().toLowerCase())
      .filter((v): v is OfficerRole => (OFFICER_ROLES as readonly string[]).includes(v));
    return candidates.reduce<OfficerRole | undefined>(
      (best, role) => (best === undefined || roleSatisfies(role, best) ? role : best),
      undefined,
    );
  }

  private async createOfficer(tenant: Pick<TenantEntity, 'id'>, email: string, role: OfficerRole) {
    const actor: Actor = {
      tenantId: tenant.id,
      officerId: null,
      label: `oidc:${email}`,
      requestId: currentRequestId() ?? null,
    };
    try {
      return await this.officersService.create(actor, email, role);
    } catch (error) {
      // An address Rempart would not accept from an admin either (INVALID_EMAIL): refused, not a 500.
      if (error instanceof DomainException && !(error instanceof ConflictDomainException))
        throw await this.refusal(tenant, null, email, error.message);
      // Two first sign-ins at once: the other one created the officer.
      if (!(error instanceof ConflictDomainException)) throw error;
      const officer = await this.officers.findOne({ where: { tenantId: tenant.id, email } });
      if (!officer) throw error;
      return officer;
    }
  }

  private async recordSignIn(officer: OfficerEntity, claims: IdentityClaims, created: boolean) {
    const actor: Actor = {
      tenantId: officer.tenantId,
      officerId: officer.id,
      label: officer.email,
      requestId: currentRequestId() ?? null,
    };
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, actor, {
        action: 'console.signin',
        targetType: 'officer',
        targetId: officer.id,
        after: { role: officer.role, created, subject: claims.sub },
      }),
    );
  }

  /** Audits the refusal where there is a tenant to audit it in, logs it always; the caller throws it. */
  private async refusal(
    tenant: Pick<TenantEntity, 'id'> | null,
    officerId: string | null,
    who: string,
    reason: string,
  ): Promise<SignInRefused> {
    this.logger.warn(`console sign-in refused for ${who}: ${reason}`);
    if (tenant) {
      const actor: Actor = {
        tenantId: tenant.id,
        officerId,
        label: `oidc:${who}`,
        requestId: currentRequestId() ?? null,
      };
      await this.dataSource.transaction((manager) =>
        this.audit.record(manager, actor, {
          action: 'console.signin_refused',
          targetType: 'officer',
          targetId: officerId ?? who,
          after: { reason },
        }),
      );
    }
    return new SignInRefused(reason);
  }
}

function claimAtPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
