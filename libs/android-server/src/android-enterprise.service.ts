import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, MoreThan, Repository } from 'typeorm';
import {
  AmapiClient,
  AmapiError,
  parseServiceAccountKey,
  ServiceAccountKeyError,
  type ServiceAccountKey,
} from '#libs/android';
import { decryptSecret, encryptSecret } from '#libs/apple';
import { AuditService, type Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { AndroidEnterpriseEntity, AndroidSignupEntity, isUniqueViolation } from '#libs/persistence';
import { ConflictDomainException, DomainException } from '#libs/platform';
import { callAmapi } from './amapi-failure.js';

const ENTERPRISE_NAME = /^enterprises\/[A-Za-z0-9_-]{1,100}$/;
/** Google's signup page must be finished within this time. */
const SIGNUP_TTL_MS = 24 * 60 * 60 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** Associated data binding an encrypted key to its tenant (same scheme as the Apple keys). */
const keyContext = (tenantId: string) => `rempart:amapi-service-account-key:${tenantId}`;

export interface BoundEnterprise {
  enterprise: AndroidEnterpriseEntity;
  client: AmapiClient;
}

export interface EnterpriseView {
  enterpriseName: string;
  projectId: string;
  serviceAccountEmail: string;
  boundBy: string;
  boundAt: Date;
  /** Whether enterprises.get succeeded with the stored key just now. */
  working: boolean;
  error: string | null;
  checkedAt: Date | null;
  displayName: string | null;
  lastSyncAt: Date | null;
  lastSyncDevices: number | null;
}

/** Each tenant's Android Enterprise binding: the enterprise name and the key that manages it. */
@Injectable()
export class AndroidEnterpriseService {
  private readonly logger = new Logger(AndroidEnterpriseService.name);
  private readonly clients = new Map<string, { updatedAt: number; client: AmapiClient }>();

  constructor(
    @InjectRepository(AndroidEnterpriseEntity)
    private readonly enterprises: Repository<AndroidEnterpriseEntity>,
    @InjectRepository(AndroidSignupEntity) private readonly signups: Repository<AndroidSignupEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private parseKey(input: unknown): ServiceAccountKey {
    try {
      // A plain-HTTP token_uri (a local fake) is only accepted outside production.
      return parseServiceAccountKey(input, { allowInsecureTokenUri: this.config.NODE_ENV !== 'production' });
    } catch (error) {
      if (error instanceof ServiceAccountKeyError)
        throw new DomainException('INVALID_SERVICE_ACCOUNT_KEY', error.message);
      throw error;
    }
  }

  private newClient(key: ServiceAccountKey): AmapiClient {
    return new AmapiClient({
      key,
      rootUrl: this.config.AMAPI_ROOT_URL,
      retry: {
        attempts: this.config.AMAPI_MAX_ATTEMPTS,
        baseDelayMs: this.config.AMAPI_RETRY_BASE_MS,
        maxDelayMs: 30_000,
      },
    });
  }

  /** PUT /v1/android/enterprise: binds an existing enterprise after checking the key can reach it. */
  async bind(
    actor: Actor,
    input: { enterpriseName: string; serviceAccountKey: unknown },
  ): Promise<EnterpriseView> {
    if (!ENTERPRISE_NAME.test(input.enterpriseName)) {
      throw new DomainException(
        'INVALID_ENTERPRISE_NAME',
        'enterpriseName: must look like enterprises/LC0abc123',
      );
    }
    const key = this.parseKey(input.serviceAccountKey);
    const found = await callAmapi('enterpriseName', () =>
      this.newClient(key).getEnterprise(input.enterpriseName),
    );
    await this.store(actor, input.enterpriseName, key);
    this.logger.log(
      { tenantId: actor.tenantId, enterprise: input.enterpriseName },
      'Android enterprise bound',
    );
    const view = await this.describe(actor.tenantId, false);
    return {
      ...view,
      working: true,
      checkedAt: new Date(),
      displayName: found.enterpriseDisplayName ?? null,
    };
  }

  private async store(actor: Actor, enterpriseName: string, key: ServiceAccountKey): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(AndroidEnterpriseEntity);
        const previous = await repo.findOne({ where: { tenantId: actor.tenantId } });
        const values = {
          enterpriseName,
          projectId: key.project_id,
          serviceAccountEmail: key.client_email,
          encryptedServiceAccountKey: encryptSecret(
            JSON.stringify(key),
            this.config.masterKey,
            keyContext(actor.tenantId),
          ),
          boundBy: actor.label,
          lastCheckedAt: new Date(),
          lastCheckError: null,
        };
        if (previous) await repo.update({ id: previous.id }, values);
        else await repo.insert({ tenantId: actor.tenantId, ...values });
        await this.audit.record(manager, actor, {
          action: previous ? 'android_enterprise.rebind' : 'android_enterprise.bind',
          targetType: 'android_enterprise',
          targetId: enterpriseName,
          before: previous
            ? { enterpriseName: previous.enterpriseName, serviceAccountEmail: previous.serviceAccountEmail }
            : null,
          after: { enterpriseName, projectId: key.project_id, serviceAccountEmail: key.client_email },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictDomainException(
          'ENTERPRISE_TAKEN',
          `enterpriseName: ${enterpriseName} is bound to another tenant`,
        );
      }
      throw error;
    }
    this.clients.delete(actor.tenantId);
  }

  /** GET /v1/android/enterprise: the binding, and (with `check`) whether the key still reaches it. */
  async describe(tenantId: string, check = true): Promise<EnterpriseView> {
    if (!(await this.enterprises.exists({ where: { tenantId } }))) {
      throw new DomainException(
        'NO_ANDROID_ENTERPRISE',
        'no Android Enterprise is bound to this tenant',
        404,
      );
    }
    const { enterprise, client } = await this.forTenant(tenantId);
    let displayName: string | null = null;
    if (check) {
      let error: string | null = null;
      try {
        displayName = (await client.getEnterprise(enterprise.enterpriseName)).enterpriseDisplayName ?? null;
      } catch (thrown) {
        if (!(thrown instanceof AmapiError)) throw thrown;
        error = `${thrown.status || thrown.reason} ${thrown.reason}: ${thrown.message}`;
      }
      enterprise.lastCheckedAt = new Date();
      enterprise.lastCheckError = error;
      await this.enterprises.update(
        { id: enterprise.id },
        { lastCheckedAt: enterprise.lastCheckedAt, lastCheckError: error },
      );
    }
    return {
      enterpriseName: enterprise.enterpriseName,
      projectId: enterprise.projectId,
      serviceAccountEmail: enterprise.serviceAccountEmail,
      boundBy: enterprise.boundBy,
      boundAt: enterprise.createdAt,
      working: enterprise.lastCheckedAt !== null && enterprise.lastCheckError === null,
      error: enterprise.lastCheckError,
      checkedAt: enterprise.lastCheckedAt,
      displayName,
      lastSyncAt: enterprise.lastSyncAt,
      lastSyncDevices: enterprise.lastSyncDevices,
    };
  }

  /** The tenant's enterprise and a client for it; 409 when Android is not set up yet. */
  async forTenant(tenantId: string): Promise<BoundEnterprise> {
    const enterprise = await this.enterprises.findOne({ where: { tenantId } });
    if (!enterprise) {
      throw new DomainException(
        'NO_ANDROID_ENTERPRISE',
        'no Android Enterprise is bound to this tenant: PUT /v1/android/enterprise or POST /v1/android/enterprise/signup-url first',
        409,
      );
    }
    return { enterprise, client: this.clientFor(enterprise) };
  }

  /** The binding an AMAPI resource name belongs to (notifications name only the enterprise). */
  async byEnterpriseName(enterpriseName: string): Promise<BoundEnterprise | null> {
    const enterprise = await this.enterprises.findOne({ where: { enterpriseName } });
    return enterprise ? { enterprise, client: this.clientFor(enterprise) } : null;
  }

  listBound(): Promise<AndroidEnterpriseEntity[]> {
    return this.enterprises.find({ order: { createdAt: 'ASC' } });
  }

  recordSync(enterpriseId: string, devices: number): Promise<unknown> {
    return this.enterprises.update(
      { id: enterpriseId },
      { lastSyncAt: new Date(), lastSyncDevices: devices },
    );
  }

  private clientFor(enterprise: AndroidEnterpriseEntity): AmapiClient {
    const cached = this.clients.get(enterprise.tenantId);
    // A client keeps its access token for an hour: reuse it until the binding changes.
    if (cached && cached.updatedAt === enterprise.updatedAt.getTime()) return cached.client;
    const key = this.parseKey(
      decryptSecret(
        enterprise.encryptedServiceAccountKey,
        this.config.masterKey,
        keyContext(enterprise.tenantId),
      ),
    );
    const client = this.newClient(key);
    this.clients.set(enterprise.tenantId, { updatedAt: enterprise.updatedAt.getTime(), client });
    return client;
  }

  /**
   * POST /v1/android/enterprise/signup-url: signupUrls.create for a new enterprise. Google sends
   * the admin's browser back to our callback (on the mdm process, MDM_PUBLIC_URL) with an
   * enterpriseToken; the secret in the callback path ties it to this signup.
   */
  async startSignup(
    actor: Actor,
    input: { serviceAccountKey: unknown; adminEmail?: string },
  ): Promise<{ signupUrl: string; signupUrlName: string; expiresAt: Date }> {
    const key = this.parseKey(input.serviceAccountKey);
    const secret = randomBytes(24).toString('base64url');
    const callbackUrl = `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}/android/signup-callback/${secret}`;
    const signup = await callAmapi('serviceAccountKey', () =>
      this.newClient(key).createSignupUrl({
        projectId: key.project_id,
        callbackUrl,
        adminEmail: input.adminEmail,
      }),
    );
    if (!signup.name || !signup.url)
      throw new DomainException('AMAPI_REFUSED', 'signupUrls.create returned no URL', 422);
    const row = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(AndroidSignupEntity).save({
        tenantId: actor.tenantId,
        signupUrlName: signup.name!,
        projectId: key.project_id,
        serviceAccountEmail: key.client_email,
        encryptedServiceAccountKey: encryptSecret(
          JSON.stringify(key),
          this.config.masterKey,
          keyContext(actor.tenantId),
        ),
        callbackSecretHash: sha256(secret),
        createdBy: actor.label,
        completedAt: null,
      });
      await this.audit.record(manager, actor, {
        action: 'android_enterprise.signup_start',
        targetType: 'android_signup',
        targetId: signup.name!,
        after: { projectId: key.project_id, serviceAccountEmail: key.client_email },
      });
      return saved;
    });
    return {
      signupUrl: signup.url,
      signupUrlName: signup.name,
      expiresAt: new Date(row.createdAt.getTime() + SIGNUP_TTL_MS),
    };
  }

  /** The signup callback: enterprises.create with Google's enterpriseToken, then the binding. */
  async completeSignup(secret: string, enterpriseToken: string | undefined): Promise<string> {
    if (!enterpriseToken) throw new DomainException('MISSING_ENTERPRISE_TOKEN', 'enterpriseToken: required');
    const signup = await this.signups.findOne({
      where: {
        callbackSecretHash: sha256(secret),
        completedAt: IsNull(),
        createdAt: MoreThan(new Date(Date.now() - SIGNUP_TTL_MS)),
      },
    });
    if (!signup)
      throw new DomainException('SIGNUP_UNKNOWN', 'this signup link is unknown, used or expired', 404);
    const key = this.parseKey(
      decryptSecret(signup.encryptedServiceAccountKey, this.config.masterKey, keyContext(signup.tenantId)),
    );
    const enterprise = await callAmapi('enterpriseToken', () =>
      this.newClient(key).createEnterprise({
        projectId: signup.projectId,
        signupUrlName: signup.signupUrlName,
        enterpriseToken,
      }),
    );
    if (!enterprise.name)
      throw new DomainException('AMAPI_REFUSED', 'enterprises.create returned no name', 422);
    const actor: Actor = {
      tenantId: signup.tenantId,
      officerId: null,
      label: `android-signup:${signup.createdBy}`,
    };
    await this.store(actor, enterprise.name, key);
    await this.signups.update({ id: signup.id }, { completedAt: new Date() });
    this.logger.log(
      { tenantId: signup.tenantId, enterprise: enterprise.name },
      'Android enterprise created by signup',
    );
    return enterprise.name;
  }
}
