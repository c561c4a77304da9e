import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Not, Repository, type EntityManager } from 'typeorm';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import {
  EnrollmentEntity,
  ScepChallengeEntity,
  TenantEntity,
  TenantScopedRepository,
  type Platform,
} from '#libs/persistence';
import { DomainException, NotFoundDomainException } from '#libs/platform';
import { GroupsService } from './groups.service.js';

@Injectable()
export class EnrollmentRepository extends TenantScopedRepository<EnrollmentEntity> {
  constructor(@InjectRepository(EnrollmentEntity) repository: Repository<EnrollmentEntity>) {
    super(repository);
  }

  /** Phones present only the token: it names the enrollment (and so the tenant). */
  findByTokenHashForDevice(tokenHash: string): Promise<EnrollmentEntity | null> {
    return this.repository.findOne({ where: { tokenHash }, relations: { group: true } });
  }
}

/** `created_by` of the enrollment Rempart keeps for Automated Device Enrollment (see AdeAccountsService). */
export const ADE_ENROLLMENT_CREATOR = 'system:ade';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** Binds an encrypted token to its enrollment row: a blob copied to another row does not decrypt. */
const tokenContext = (enrollmentId: string) => `rempart:enrollment-token:${enrollmentId}`;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A downloaded enrollment profile must be installed within this time. */
const CHALLENGE_TTL_MS = 60 * 60 * 1000;

export interface CreatedEnrollment {
  enrollment: EnrollmentEntity;
  token: string;
}

/** Enrollment invitations and the SCEP challenges each profile download hands out. */
@Injectable()
export class EnrollmentsService {
  private readonly logger = new Logger(EnrollmentsService.name);

  constructor(
    private readonly enrollments: EnrollmentRepository,
    private readonly groups: GroupsService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @InjectRepository(ScepChallengeEntity) private readonly challenges: Repository<ScepChallengeEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `android` carries what the Android channel made at Google before this row exists: the id it
   * wrote into the AMAPI token, and the token (name, and value encrypted).
   */
  async create(
    actor: Actor,
    input: { group: string; platform: Platform; expiresAt?: Date; maxUses?: number },
    android?: { id: string; androidTokenName: string; encryptedAndroidToken: string },
  ): Promise<CreatedEnrollment> {
    const group = await this.groups.getReferenced(actor.tenantId, input.group, 'group');
    const expiresAt = input.expiresAt ?? new Date(Date.now() + 30 * DAY_MS);
    if (expiresAt.getTime() <= Date.now())
      throw new DomainException('INVALID_EXPIRY', 'expiresAt: must be in the future');
    const token = randomBytes(24).toString('base64url');
    const id = android?.id ?? randomUUID();
    const enrollment = await this.dataSource.transaction(async (manager) => {
      const created = await this.enrollments.insert(
        actor.tenantId,
        {
          ...(android ?? {}),
          id,
          groupId: group.id,
          platform: input.platform,
          tokenHash: sha256(token),
          encryptedToken: encryptSecret(token, this.config.masterKey, tokenContext(id)),
          expiresAt,
          maxUses: input.maxUses ?? null,
          uses: 0,
          createdBy: actor.label,
          revokedAt: null,
        },
        manager,
      );
      await this.audit.record(manager, actor, {
        action: 'enrollment.create',
        targetType: 'enrollment',
        targetId: created.id,
        after: {
          group: group.slug,
          platform: input.platform,
          expiresAt: expiresAt.toISOString(),
          maxUses: input.maxUses ?? null,
          ...(android ? { androidToken: android.androidTokenName } : {}),
        },
      });
      return created;
    });
    return { enrollment, token };
  }

  /** The officers' invitations; the one ADE phones enroll through is managed by /v1/apple/ade. */
  list(tenantId: string): Promise<EnrollmentEntity[]> {
    return this.enrollments.find(
      tenantId,
      { createdBy: Not(ADE_ENROLLMENT_CREATOR) },
      { order: { createdAt: 'DESC' }, relations: { group: true } },
    );
  }

  /** One of the officers' invitations (not ADE's own, which is managed by /v1/apple/ade). */
  async get(tenantId: string, id: string): Promise<EnrollmentEntity> {
    const [enrollment] = await this.enrollments.find(tenantId, { id }, { relations: { group: true } });
    if (!enrollment || enrollment.createdBy === ADE_ENROLLMENT_CREATOR)
      throw new NotFoundDomainException('enrollment', id);
    return enrollment;
  }

  /** The token of an enrollment, decrypted; null for enrollments made before tokens were kept. */
  tokenOf(enrollment: EnrollmentEntity): string | null {
    if (!enrollment.encryptedToken) return null;
    return decryptSecret(enrollment.encryptedToken, this.config.masterKey, tokenContext(enrollment.id));
  }

  async revoke(actor: Actor, id: string): Promise<EnrollmentEntity> {
    return this.dataSource.transaction(async (manager) => {
      const enrollment = await this.enrollments.findOne(actor.tenantId, { id }, manager);
      if (!enrollment || enrollment.createdBy === ADE_ENROLLMENT_CREATOR) {
        // ADE's own enrollment is not an invitation: revoking it would strand phones in Setup Assistant.
        throw new NotFoundDomainException('enrollment', id);
      }
      if (enrollment.revokedAt) return enrollment;
      const revokedAt = new Date();
      await this.enrollments.update(actor.tenantId, { id }, { revokedAt }, manager);
      await this.audit.record(manager, actor, {
        action: 'enrollment.revoke',
        targetType: 'enrollment',
        targetId: id,
      });
      return { ...enrollment, revokedAt };
    });
  }

  /**
   * The enrollment a phone's token names, if it can still be used: unknown → 404, expired, revoked
   * or used up → 410. Refusals are logged (someone is trying a token).
   */
  async usableByToken(token: string): Promise<EnrollmentEntity & { tenant: TenantEntity }> {
    const enrollment = await this.enrollments.findByTokenHashForDevice(sha256(token));
    const refuse = (code: string, message: string, status: 404 | 410) => {
      this.logger.warn({ enrollmentId: enrollment?.id, code }, `enrollment refused: ${message}`);
      return new DomainException(code, message, status);
    };
    if (!enrollment) throw refuse('ENROLLMENT_UNKNOWN', 'enrollment token is not known', 404);
    if (enrollment.revokedAt) throw refuse('ENROLLMENT_REVOKED', 'enrollment was revoked', 410);
    if (enrollment.expiresAt <= new Date()) throw refuse('ENROLLMENT_EXPIRED', 'enrollment has expired', 410);
    if (enrollment.maxUses !== null && enrollment.uses >= enrollment.maxUses) {
      throw refuse(
        'ENROLLMENT_USED_UP',
        `enrollment was used ${enrollment.uses} of ${enrollment.maxUses} times`,
        410,
      );
    }
    const tenant = await this.dataSource
      .getRepository(TenantEntity)
      .findOneByOrFail({ id: enrollment.tenantId });
    return Object.assign(enrollment, { tenant });
  }

  /**
   * A fresh SCEP challenge bound to this enrollment, for one profile download; for ADE, also to the
   * serial whose MachineInfo asked for it (Authenticate must then come from that serial).
   */
  async issueChallenge(enrollment: EnrollmentEntity, adeSerial?: string): Promise<string> {
    const challenge = randomBytes(24).toString('base64url');
    await this.challenges.insert({
      tenantId: enrollment.tenantId,
      enrollmentId: enrollment.id,
      challengeHash: sha256(challenge),
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
      consumedAt: null,
      issuedCertificateSha256: null,
      adeSerial: adeSerial ?? null,
    });
    return challenge;
  }

  /**
   * Consumes a challenge for a SCEP request: valid only once, before it expires, for this tenant and
   * a still-usable enrollment. This is where an enrollment's use is counted: one challenge consumed,
   * one device certificate issued, under a lock on the enrollment so that phones racing with
   * profiles downloaded together cannot get more certificates than `maxUses`. Returns the challenge
   * row to bind the issued certificate to, or a reason for refusing.
   */
  async consumeChallenge(
    tenantId: string,
    challenge: string | undefined,
  ): Promise<{ ok: true; challengeId: string } | { ok: false; reason: string }> {
    if (!challenge) return { ok: false, reason: 'no challenge password in the request' };
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(ScepChallengeEntity)
        .createQueryBuilder('c')
        .setLock('pessimistic_write')
        .where('c.challenge_hash = :hash AND c.tenant_id = :tenantId', { hash: sha256(challenge), tenantId })
        .getOne();
      if (!row) return { ok: false as const, reason: 'unknown challenge' };
      if (row.consumedAt) return { ok: false as const, reason: 'challenge already used' };
      if (row.expiresAt <= new Date()) return { ok: false as const, reason: 'challenge expired' };
      const enrollment = await manager
        .getRepository(EnrollmentEntity)
        .createQueryBuilder('e')
        .setLock('pessimistic_write')
        .where('e.id = :id AND e.tenant_id = :tenantId AND e.revoked_at IS NULL', {
          id: row.enrollmentId,
          tenantId,
        })
        .getOne();
      if (!enrollment || enrollment.expiresAt <= new Date())
        return { ok: false as const, reason: 'enrollment no longer valid' };
      if (enrollment.maxUses !== null && enrollment.uses >= enrollment.maxUses) {
        return { ok: false as const, reason: 'enrollment used up' };
      }
      await manager.getRepository(ScepChallengeEntity).update({ id: row.id }, { consumedAt: new Date() });
      await manager.getRepository(EnrollmentEntity).increment({ id: enrollment.id }, 'uses', 1);
      return { ok: true as const, challengeId: row.id };
    });
  }

  bindIssuedCertificate(challengeId: string, certificateSha256: string): Promise<unknown> {
    return this.challenges.update({ id: challengeId }, { issuedCertificateSha256: certificateSha256 });
  }

  /**
   * The record of a device certificate issued by our SCEP (its challenge row, locked until the
   * transaction ends) and the enrollment it was issued for; null for a certificate we never issued.
   */
  async issuedCertificate(
    tenantId: string,
    certificateSha256: string,
    manager: EntityManager,
  ): Promise<{ record: ScepChallengeEntity; enrollment: EnrollmentEntity } | null> {
    const record = await manager
      .getRepository(ScepChallengeEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.tenant_id = :tenantId AND c.issued_certificate_sha256 = :certificateSha256', {
        tenantId,
        certificateSha256,
      })
      .getOne();
    if (!record) return null;
    const enrollment = await manager
      .getRepository(EnrollmentEntity)
      .findOne({ where: { id: record.enrollmentId, tenantId } });
    return enrollment ? { record, enrollment } : null;
  }

  enrollUrl(token: string): string {
    return `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}/mdm/enroll/${token}`;
  }
}
