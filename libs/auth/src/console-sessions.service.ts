import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { ConsoleSessionEntity, type OfficerEntity } from '#libs/persistence';
import { DomainException, NotFoundDomainException } from '#libs/platform';
import { AuthException } from './auth.exception.js';
import type { Principal } from './principal.js';
import { ConsoleSessionRepository } from './repositories.js';

const SESSION_FORMAT = /^rms_[A-Za-z0-9_-]{43}$/;
const CSRF_FORMAT = /^[A-Za-z0-9_-]{43}$/;
/** Rows past their absolute timeout are kept a day (so the cookie still answers SESSION_EXPIRED), then purged. */
const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

export interface OpenedSession {
  /** The cookie value: returned once, only its hash is stored. */
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface AuthenticatedSession {
  principal: Principal;
  session: ConsoleSessionEntity;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * When a session ends if nobody uses it again: the idle timeout after its last recorded use, or its
 * absolute end if that comes first. `authenticate` refuses it from that instant on.
 */
export function idleDeadline(
  session: Pick<ConsoleSessionEntity, 'lastSeenAt' | 'expiresAt'>,
  idleSeconds: number,
): Date {
  const idle = session.lastSeenAt.getTime() + idleSeconds * 1000;
  return new Date(Math.min(idle, session.expiresAt.getTime()));
}

/** Console sessions: opened at sign-in, checked on every cookie request, ended at sign-out or timeout. */
@Injectable()
export class ConsoleSessionsService {
  constructor(
    @InjectRepository(ConsoleSessionEntity) private readonly sessions: Repository<ConsoleSessionEntity>,
    private readonly tenantSessions: ConsoleSessionRepository,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async open(officer: OfficerEntity, idToken: string | null, now = new Date()): Promise<OpenedSession> {
    const secret = `rms_${randomBytes(32).toString('base64url')}`;
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.CONSOLE_SESSION_MAX_SECONDS * 1000);
    await this.sessions.delete({ expiresAt: LessThan(new Date(now.getTime() - PURGE_AFTER_MS)) });
    await this.sessions.insert({
      tenantId: officer.tenantId,
      officerId: officer.id,
      secretHash: sha256(secret),
      csrfHash: sha256(csrfToken),
      lastSeenAt: now,
      expiresAt,
      idToken,
    });
    return { secret, csrfToken, expiresAt };
  }

  async authenticate(secret: string, now = new Date()): Promise<AuthenticatedSession> {
    if (!SESSION_FORMAT.test(secret))
      throw new AuthException('SESSION_UNKNOWN', 'the console session cookie is not a Rempart session');
    const session = await this.sessions.findOne({
      where: { secretHash: sha256(secret) },
      relations: { officer: true, tenant: true },
    });
    if (!session || !session.officer || !session.tenant)
      throw new AuthException('SESSION_UNKNOWN', 'the console session has ended; sign in again');
    if (session.expiresAt <= now)
      throw new AuthException(
        'SESSION_EXPIRED',
        'the console session reached its maximum length; sign in again',
      );
    const idleMs = this.config.CONSOLE_SESSION_IDLE_SECONDS * 1000;
    if (now.getTime() - session.lastSeenAt.getTime() >= idleMs)
      throw new AuthException('SESSION_EXPIRED', 'the console session was idle too long; sign in again');
    if (session.officer.disabledAt)
      throw new AuthException('OFFICER_DISABLED', `officer ${session.officer.email} is disabled`);
    // Writing on every request would turn reads into writes; a tenth of the idle timeout is precise enough.
    if (now.getTime() - session.lastSeenAt.getTime() > Math.min(60_000, idleMs / 10)) {
      await this.sessions.update({ id: session.id }, { lastSeenAt: now });
    }
    return {
      session,
      principal: {
        tenantId: session.tenantId,
        tenantSlug: session.tenant.slug,
        officerId: session.officerId,
        email: session.officer.email,
        role: session.officer.role,
        tokenId: null,
        sessionId: session.id,
      },
    };
  }

  /** Refuses a change made with the session cookie unless the page sent the session's CSRF token. */
  assertCsrf(session: ConsoleSessionEntity, header: string | undefined): void {
    if (header === undefined || !CSRF_FORMAT.test(header)) {
      throw new DomainException(
        'CSRF',
        'a change made with the console session needs the X-CSRF-Token header',
        403,
      );
    }
    if (!timingSafeEqual(Buffer.from(sha256(header)), Buffer.from(session.csrfHash))) {
      throw new DomainException('CSRF', 'X-CSRF-Token does not match the console session', 403);
    }
  }

  /** The session behind a cookie whatever its age (sign-out ends expired sessions too), or null. */
  find(secret: string): Promise<ConsoleSessionEntity | null> {
    if (!SESSION_FORMAT.test(secret)) return Promise.resolve(null);
    return this.sessions.findOne({ where: { secretHash: sha256(secret) }, relations: { officer: true } });
  }

  async end(session: ConsoleSessionEntity): Promise<void> {
    await this.sessions.delete({ id: session.id });
  }

  /**
   * The tenant's sessions that still let someone in, newest first, with their officer: not past
   * their absolute or idle timeout, and not of a disabled officer (refused at their next request).
   */
  listLive(tenantId: string, now = new Date()): Promise<ConsoleSessionEntity[]> {
    const idleMs = this.config.CONSOLE_SESSION_IDLE_SECONDS * 1000;
    return this.tenantSessions.find(
      tenantId,
      {
        expiresAt: MoreThan(now),
        lastSeenAt: MoreThan(new Date(now.getTime() - idleMs)),
        officer: { disabledAt: IsNull() },
      },
      { relations: { officer: true }, order: { createdAt: 'DESC', id: 'ASC' } },
    );
  }

  /** When a session ends if nobody uses it again (see idleDeadline). */
  idleExpiresAt(session: ConsoleSessionEntity): Date {
    return idleDeadline(session, this.config.CONSOLE_SESSION_IDLE_SECONDS);
  }

  /**
   * An admin ends a session of their tenant by its public id: its cookie answers 401
   * SESSION_UNKNOWN from then on. Audited as `console.session_revoked`. Another tenant's session, or
   * one already ended, is a 404.
   */
  async revoke(actor: Actor, publicId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [session] = await this.tenantSessions.find(
        actor.tenantId,
        { publicId },
        { relations: { officer: true } },
        manager,
      );
      // Deleted, not just read: of two revocations (or a revocation and a sign-out) at once, one wins.
      if (!session || (await this.tenantSessions.deleteOne(actor.tenantId, session.id, manager)) === 0)
        throw new NotFoundDomainException('console session', publicId);
      await this.audit.record(manager, actor, {
        action: 'console.session_revoked',
        targetType: 'console_session',
        targetId: session.publicId,
        before: {
          officer: session.officer?.email ?? session.officerId,
          createdAt: session.createdAt.toISOString(),
        },
      });
    });
  }
}
