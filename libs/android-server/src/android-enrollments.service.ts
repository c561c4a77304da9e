import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import QRCode from 'qrcode';
import {
  provisioningQrPayload,
  toGoogleDuration,
  workProfileEnrollUrl,
  zeroTouchDpcExtras,
} from '#libs/android';
import { decryptSecret, encryptSecret } from '#libs/apple';
import type { Actor } from '#libs/audit';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { EnrollmentsService, GroupsService } from '#libs/fleet';
import type { EnrollmentEntity } from '#libs/persistence';
import { DomainException } from '#libs/platform';
import { callAmapi } from './amapi-failure.js';
import { AndroidEnterpriseService } from './android-enterprise.service.js';
import { AndroidGroupPoliciesService } from './group-policies.service.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const tokenContext = (enrollmentId: string) => `rempart:amapi-enrollment-token:${enrollmentId}`;

export interface AndroidEnrollment {
  enrollment: EnrollmentEntity;
  /** Rempart's own token: it names the enrollment in qrPngUrl. */
  token: string;
  /** The AMAPI token value (typed at `afw#setup`, or in the work-profile link). */
  androidToken: string;
  enrollUrl: string;
  qrCode: string;
  qrPngUrl: string;
  zeroTouchExtras: Record<string, unknown>;
}

interface StoredToken {
  value: string;
  qrCode: string;
}

/**
 * Android enrollments: an AMAPI enrollment token for the group's policy, its QR code and its
 * zero-touch extras. AMAPI tokens are one-time or unlimited; an N-use enrollment is counted by
 * Rempart and its token deleted once N phones have enrolled (AndroidDevicesService).
 */
@Injectable()
export class AndroidEnrollmentsService {
  private readonly logger = new Logger(AndroidEnrollmentsService.name);

  constructor(
    private readonly enterprises: AndroidEnterpriseService,
    private readonly groupPolicies: AndroidGroupPoliciesService,
    private readonly enrollments: EnrollmentsService,
    private readonly groups: GroupsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    actor: Actor,
    input: { group: string; expiresAt?: Date; maxUses?: number },
  ): Promise<AndroidEnrollment> {
    // The officer's own input first: an unknown group is said before a missing enterprise binding.
    const group = await this.groups.getReferenced(actor.tenantId, input.group, 'group');
    const { enterprise, client } = await this.enterprises.forTenant(actor.tenantId);
    const expiresAt = input.expiresAt ?? new Date(Date.now() + 30 * DAY_MS);
    if (expiresAt.getTime() <= Date.now() + 60_000) {
      throw new DomainException('INVALID_EXPIRY', 'expiresAt: must be at least a minute in the future');
    }
    // The token names the group's policy, which must exist at Google before any phone enrolls.
    const groupPolicy = await this.groupPolicies.syncGroupPolicy(actor.tenantId, group.id);
    const id = randomUUID();
    const created = await callAmapi('enrollment token', () =>
      client.createEnrollmentToken(enterprise.enterpriseName, {
        policyName: groupPolicy.policyName,
        duration: toGoogleDuration(expiresAt.getTime() - Date.now()),
        oneTimeOnly: input.maxUses === 1,
        // Government phones are company-owned and fully managed: no personal side.
        allowPersonalUsage: 'PERSONAL_USAGE_DISALLOWED',
        // Echoed on every device it enrolls: how a phone finds its enrollment (and group). No secret here.
        additionalData: JSON.stringify({ enrollmentId: id }),
      }),
    );
    if (!created.name || !created.value)
      throw new DomainException('AMAPI_REFUSED', 'enrollmentTokens.create returned no token', 422);
    const stored: StoredToken = {
      value: created.value,
      qrCode: provisioningQrPayload({ value: created.value, qrCode: created.qrCode }),
    };
    try {
      const { enrollment, token } = await this.enrollments.create(
        actor,
        { group: input.group, platform: 'android', expiresAt, maxUses: input.maxUses },
        {
          id,
          androidTokenName: created.name,
          encryptedAndroidToken: encryptSecret(
            JSON.stringify(stored),
            this.config.masterKey,
            tokenContext(id),
          ),
        },
      );
      return {
        enrollment,
        token,
        androidToken: stored.value,
        enrollUrl: workProfileEnrollUrl(stored.value),
        qrCode: stored.qrCode,
        qrPngUrl: this.qrPngUrl(token),
        zeroTouchExtras: zeroTouchDpcExtras(stored.value),
      };
    } catch (error) {
      // No enrollment row: the token must not stay usable at Google.
      await client
        .deleteEnrollmentToken(created.name)
        .catch((e: unknown) =>
          this.logger.warn({ token: created.name, err: e }, 'could not delete an orphan enrollment token'),
        );
      throw error;
    }
  }

  /** The links of an existing Android enrollment, shown again to officers (GET /v1/enrollments/{id}). */
  links(enrollment: EnrollmentEntity, token: string | null) {
    if (enrollment.platform !== 'android' || !enrollment.encryptedAndroidToken) return null;
    const stored = JSON.parse(
      decryptSecret(enrollment.encryptedAndroidToken, this.config.masterKey, tokenContext(enrollment.id)),
    ) as StoredToken;
    return {
      enrollUrl: workProfileEnrollUrl(stored.value),
      androidToken: stored.value,
      qrCode: stored.qrCode,
      qrPngUrl: token === null ? null : this.qrPngUrl(token),
    };
  }

  qrPngUrl(token: string): string {
    return `${this.config.MDM_PUBLIC_URL.replace(/\/$/, '')}/android/enroll/${token}/qr.png`;
  }

  /** Revokes the enrollment and deletes its AMAPI token (again on a repeated call: deleting is idempotent). */
  async revoke(actor: Actor, id: string): Promise<EnrollmentEntity> {
    const enrollment = await this.enrollments.revoke(actor, id);
    if (enrollment.platform === 'android' && enrollment.androidTokenName) {
      await this.deleteToken(actor.tenantId, enrollment.androidTokenName);
    }
    return enrollment;
  }

  async deleteToken(tenantId: string, tokenName: string): Promise<void> {
    const { client } = await this.enterprises.forTenant(tenantId);
    await callAmapi('enrollment token deletion', () => client.deleteEnrollmentToken(tokenName));
  }

  /** The QR code a phone's setup wizard scans, as a PNG, for a still usable Android enrollment. */
  async qrPng(token: string): Promise<Buffer> {
    const enrollment = await this.enrollments.usableByToken(token);
    if (enrollment.platform !== 'android' || !enrollment.encryptedAndroidToken) {
      throw new DomainException('NOT_ANDROID_ENROLLMENT', 'this enrollment is not an Android one', 404);
    }
    const stored = JSON.parse(
      decryptSecret(enrollment.encryptedAndroidToken, this.config.masterKey, tokenContext(enrollment.id)),
    ) as StoredToken;
    // Error correction M and a 4-module quiet zone: what phone cameras read reliably off a screen.
    return QRCode.toBuffer(stored.qrCode, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
  }
}
