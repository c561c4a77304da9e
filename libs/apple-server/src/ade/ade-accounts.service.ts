import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  AdeApiError,
  AdeInputError,
  DEFAULT_SKIP_SETUP_ITEMS,
  decryptSecret,
  decryptServerToken,
  DeviceAssignmentClient,
  encryptSecret,
  generateAdeKeyPair,
  MemoryAdeSessionStore,
  validateSkipSetupItems,
  type AdeOAuthCredentials,
  type AdeSessionStore,
  type AdeServerToken,
} from '#libs/apple';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { ADE_ENROLLMENT_CREATOR, GroupsService } from '#libs/fleet';
import { AdeAccountEntity, EnrollmentEntity, type AdeAssignmentRule } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { keyContext } from '../tenant-signing/tenant-ca.service.js';
import { AdeAccountRepository, sha256Hex } from './ade-account.repository.js';
import { adeAccountView, type AdeAccountView } from './ade-account-view.js';
import { AdeSessionStores } from './ade-session.store.js';
import { retargetDevices } from './ade-targets.js';

/** The internal ADE enrollment never expires on its own: the token in the ADE URL is what is revoked. */
const ADE_ENROLLMENT_YEARS = 100;
export const ADE_USER_AGENT = 'rempart/0.1';

export interface AdeSettingsInput {
  defaultGroup?: string;
  rules?: AdeAssignmentRule[];
  skipSetupItems?: string[];
}

/**
 * A tenant's Apple Business Manager link: the certificate the administrator uploads in ABM, the
 * server token it gives back, the settings of the ADE profile, and the state Apple last reported.
 */
@Injectable()
export class AdeAccountsService {
  private readonly logger = new Logger(AdeAccountsService.name);

  constructor(
    private readonly accounts: AdeAccountRepository,
    private readonly groups: GroupsService,
    private readonly sessions: AdeSessionStores,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Tenants whose ABM token is uploaded and not rejected: what the scheduled sync visits. */
  async tenantsWithToken(): Promise<string[]> {
    return (await this.accounts.withToken())
      .filter((account) => account.blockingState !== 'token_rejected')
      .map((account) => account.tenantId);
  }

  find(tenantId: string): Promise<AdeAccountEntity | null> {
    return this.accounts.findOne(tenantId, {});
  }

  async get(tenantId: string): Promise<AdeAccountEntity> {
    const account = await this.find(tenantId);
    if (!account) {
      throw new DomainException(
        'ADE_NOT_SET_UP',
        'Automated Device Enrollment is not set up: download the certificate from GET /v1/apple/ade/certificate first',
        404,
      );
    }
    return account;
  }

  /** The PEM certificate to upload in ABM; the key pair is made (and audited) on the first call. */
  async certificate(actor: Actor): Promise<string> {
    const existing = await this.find(actor.tenantId);
    if (existing) return existing.certificatePem;
    const keys = generateAdeKeyPair(`rempart-ade-${actor.tenantId.slice(0, 8)}`);
    const enrollToken = randomBytes(32).toString('base64url');
    return this.dataSource.transaction(async (manager) => {
      // Two officers clicking at once: the second waits and gets the first one's certificate.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ade-account:' || $1, 0))`, [
        actor.tenantId,
      ]);
      const raced = await this.accounts.findOne(actor.tenantId, {}, manager);
      if (raced) return raced.certificatePem;
      const account = await this.accounts.insert(
        actor.tenantId,
        {
          certificatePem: keys.certificatePem,
          encryptedPrivateKey: encryptSecret(
            keys.privateKeyPem,
            this.config.masterKey,
            keyContext(actor.tenantId, 'ade-key'),
          ),
          encryptedEnrollToken: encryptSecret(
            enrollToken,
            this.config.masterKey,
            keyContext(actor.tenantId, 'ade-enroll-token'),
          ),
          enrollTokenHash: sha256Hex(enrollToken),
          enrollmentId: null,
          skipSetupItems: [...DEFAULT_SKIP_SETUP_ITEMS],
          assignmentRules: [],
        },
        manager,
      );
      await this.audit.record(manager, actor, {
        action: 'ade.certificate.create',
        targetType: 'ade_account',
        targetId: account.id,
        after: { notAfter: keys.notAfter.toISOString() },
      });
      return account.certificatePem;
    });
  }

  /**
   * Stores the OAuth credentials of a downloaded server token (the .p7m as text), after checking it
   * decrypts with this tenant's key and that Apple accepts it (`GET /account`). A refused token is
   * audited and stores nothing.
   */
  async uploadToken(actor: Actor, smime: string): Promise<AdeAccountView> {
    const account = await this.get(actor.tenantId);
    let token: AdeServerToken;
    try {
      token = decryptServerToken(smime, this.privateKey(account), account.certificatePem);
    } catch (error) {
      if (error instanceof AdeInputError)
        await this.refuseToken(actor, account, error.code, error.message, 400);
      throw error;
    }
    let details: Awaited<ReturnType<DeviceAssignmentClient['account']>> | undefined;
    let blocking: Pick<AdeAccountEntity, 'blockingState' | 'blockingMessage'> = {
      blockingState: null,
      blockingMessage: null,
    };
    try {
      // A session of its own: the shared one was opened with the previous token and proves nothing.
      details = await this.client(account, token, new MemoryAdeSessionStore()).account();
    } catch (error) {
      if (!(error instanceof AdeApiError)) throw error;
      if (error.kind === 'token_rejected' || error.kind === 'access_denied') {
        await this.refuseToken(
          actor,
          account,
          'ADE_TOKEN_REJECTED',
          `Apple refused this token (${error.code}): download a new token for this MDM server in Apple Business Manager`,
          422,
        );
      }
      if (error.kind === 'terms_not_signed') {
        blocking = { blockingState: 'terms_not_signed', blockingMessage: error.message };
      } else {
        // Apple unreachable: keep the token (it decrypted), the next sync will tell.
        this.logger.warn(
          { tenant: actor.tenantId, kind: error.kind },
          `ABM account check failed: ${error.message}`,
        );
      }
    }
    const saved = await this.dataSource.transaction(async (manager) => {
      const credentials: AdeOAuthCredentials = {
        consumerKey: token.consumerKey,
        consumerSecret: token.consumerSecret,
        accessToken: token.accessToken,
        accessSecret: token.accessSecret,
      };
      const changes: Partial<AdeAccountEntity> = {
        encryptedCredentials: encryptSecret(
          JSON.stringify(credentials),
          this.config.masterKey,
          keyContext(actor.tenantId, 'ade-credentials'),
        ),
        consumerKey: token.consumerKey,
        tokenExpiresAt: token.accessTokenExpiry,
        tokenUploadedAt: new Date(),
        serverName: details?.server_name ?? account.serverName,
        serverUuid: details?.server_uuid ?? account.serverUuid,
        orgName: details?.org_name ?? account.orgName,
        adminId: details?.admin_id ?? details?.facilitator_id ?? account.adminId,
        ...blocking,
      };
      await this.accounts.update(actor.tenantId, { id: account.id }, changes, manager);
      await this.audit.record(manager, actor, {
        action: account.encryptedCredentials ? 'ade.token.renew' : 'ade.token.upload',
        targetType: 'ade_account',
        targetId: account.id,
        before: account.tokenExpiresAt
          ? { consumerKey: account.consumerKey, expiresAt: account.tokenExpiresAt.toISOString() }
          : null,
        after: {
          consumerKey: token.consumerKey,
          expiresAt: token.accessTokenExpiry.toISOString(),
          serverName: changes.serverName ?? null,
        },
      });
      return { ...account, ...changes };
    });
    // A new token means a new session: never reuse one opened with the old credentials.
    const sessions = this.sessions.forAccount(account.id);
    const stale = await sessions.get();
    if (stale) await sessions.invalidate(stale);
    return this.view(saved);
  }

  private async refuseToken(
    actor: Actor,
    account: AdeAccountEntity,
    code: string,
    message: string,
    status: 400 | 422,
  ): Promise<never> {
    this.logger.log({ tenant: actor.tenantId, code }, `ADE server token refused: ${message}`);
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, actor, {
        action: 'ade.token.refused',
        targetType: 'ade_account',
        targetId: account.id,
        after: { code },
      }),
    );
    throw new DomainException(code, message, status);
  }

  async describe(tenantId: string): Promise<AdeAccountView> {
    return this.view(await this.get(tenantId));
  }

  /** `PATCH /v1/apple/ade`: default group, rules and skipped panes; audited. */
  async update(actor: Actor, input: AdeSettingsInput): Promise<AdeAccountView> {
    const account = await this.get(actor.tenantId);
    let skipSetupItems = account.skipSetupItems;
    if (input.skipSetupItems) {
      try {
        skipSetupItems = validateSkipSetupItems(input.skipSetupItems);
      } catch (error) {
        if (error instanceof AdeInputError)
          throw new DomainException('INVALID_SKIP_SETUP_ITEMS', error.message, 400);
        throw error;
      }
    }
    const defaultGroup = input.defaultGroup
      ? await this.groups.getReferenced(actor.tenantId, input.defaultGroup, 'defaultGroup')
      : undefined;
    const rules = input.rules ?? account.assignmentRules;
    const resolvedRules: Array<AdeAssignmentRule & { groupId: string }> = [];
    for (const [i, rule] of rules.entries()) {
      if (!rule.serials?.length && !rule.descriptionContains) {
        throw new DomainException(
          'INVALID_ADE_RULE',
          `rules[${i}]: give serials or descriptionContains`,
          400,
        );
      }
      resolvedRules.push({
        ...rule,
        groupId: (await this.groups.getReferenced(actor.tenantId, rule.group, `rules[${i}].group`)).id,
      });
    }
    const saved = await this.dataSource.transaction(async (manager) => {
      const changes: Partial<AdeAccountEntity> = { skipSetupItems, assignmentRules: rules };
      if (defaultGroup) {
        changes.defaultGroupId = defaultGroup.id;
        changes.enrollmentId = await this.adeEnrollment(manager, actor, account, defaultGroup.id);
      }
      await this.accounts.update(actor.tenantId, { id: account.id }, changes, manager);
      await retargetDevices(
        manager,
        actor.tenantId,
        changes.defaultGroupId ?? account.defaultGroupId,
        resolvedRules,
      );
      await this.audit.record(manager, actor, {
        action: 'ade.settings.update',
        targetType: 'ade_account',
        targetId: account.id,
        before: {
          defaultGroupId: account.defaultGroupId,
          rules: account.assignmentRules.length,
          skipSetupItems: account.skipSetupItems,
        },
        after: { defaultGroup: defaultGroup?.slug ?? null, rules: rules.length, skipSetupItems },
      });
      return { ...account, ...changes };
    });
    return this.view(saved);
  }

  /**
   * The enrollment ADE phones' SCEP challenges hang off (the existing enrollment tables and checks
   * then apply unchanged); its group follows the default group.
   */
  private async adeEnrollment(
    manager: EntityManager,
    actor: Actor,
    account: AdeAccountEntity,
    groupId: string,
  ): Promise<string> {
    const repo = manager.getRepository(EnrollmentEntity);
    if (account.enrollmentId) {
      await repo.update({ id: account.enrollmentId, tenantId: actor.tenantId }, { groupId });
      return account.enrollmentId;
    }
    const expiresAt = new Date();
    expiresAt.setUTCFullYear(expiresAt.getUTCFullYear() + ADE_ENROLLMENT_YEARS);
    const created = await repo.save(
      repo.create({
        tenantId: actor.tenantId,
        groupId,
        platform: 'ios',
        // Nobody holds this token: ADE phones come in through the ADE URL.
        tokenHash: sha256Hex(randomBytes(32).toString('hex')),
        expiresAt,
        maxUses: null,
        uses: 0,
        createdBy: ADE_ENROLLMENT_CREATOR,
        revokedAt: null,
      }),
    );
    return created.id;
  }

  /** Records what Apple said about the token: blocking states are set by errors, cleared by a success. */
  async recordApiOutcome(account: AdeAccountEntity, error?: AdeApiError): Promise<void> {
    let changes: Partial<AdeAccountEntity> = { blockingState: null, blockingMessage: null };
    if (error?.kind === 'terms_not_signed')
      changes = { blockingState: 'terms_not_signed', blockingMessage: error.message };
    else if (error?.kind === 'token_rejected')
      changes = { blockingState: 'token_rejected', blockingMessage: error.message };
    else if (error) return;
    if (changes.blockingState === account.blockingState) return;
    await this.accounts.update(account.tenantId, { id: account.id }, changes);
    if (changes.blockingState)
      this.logger.warn({ tenant: account.tenantId, state: changes.blockingState }, changes.blockingMessage!);
    else this.logger.log({ tenant: account.tenantId }, 'ABM accepts the server token again');
  }

  /** A Device Assignment API client for the account's stored token (or a token being uploaded). */
  client(
    account: AdeAccountEntity,
    token?: AdeOAuthCredentials,
    sessions: AdeSessionStore = this.sessions.forAccount(account.id),
  ): DeviceAssignmentClient {
    const credentials = token ?? this.credentials(account);
    return new DeviceAssignmentClient({
      baseUrl: this.config.APPLE_ADE_URL,
      credentials,
      sessions,
      userAgent: ADE_USER_AGENT,
    });
  }

  credentials(account: AdeAccountEntity): AdeOAuthCredentials {
    if (!account.encryptedCredentials) {
      throw new DomainException(
        'ADE_NO_TOKEN',
        'no ABM server token uploaded yet: PUT /v1/apple/ade/token',
        409,
      );
    }
    return JSON.parse(
      decryptSecret(
        account.encryptedCredentials,
        this.config.masterKey,
        keyContext(account.tenantId, 'ade-credentials'),
      ),
    ) as AdeOAuthCredentials;
  }

  enrollToken(account: AdeAccountEntity): string {
    return decryptSecret(
      account.encryptedEnrollToken,
      this.config.masterKey,
      keyContext(account.tenantId, 'ade-enroll-token'),
    );
  }

  /** Rempart's ADE URL, the `url` of the ADE profile: Setup Assistant POSTs MachineInfo there. */
  enrollUrl(account: AdeAccountEntity): string {
    return `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}/mdm/ade/${this.enrollToken(account)}`;
  }

  private privateKey(account: AdeAccountEntity): string {
    return decryptSecret(
      account.encryptedPrivateKey,
      this.config.masterKey,
      keyContext(account.tenantId, 'ade-key'),
    );
  }

  async view(account: AdeAccountEntity, now = new Date()): Promise<AdeAccountView> {
    const group = account.defaultGroupId
      ? (await this.groups.list(account.tenantId)).find((g) => g.id === account.defaultGroupId)
      : undefined;
    return adeAccountView(account, group?.slug ?? null, now);
  }
}
