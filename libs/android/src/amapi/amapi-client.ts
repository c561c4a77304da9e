import { JWT } from 'google-auth-library';
import { androidmanagement_v1 } from 'googleapis/build/src/apis/androidmanagement/index.js';
import { AmapiError } from './amapi-error.js';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './retry.js';
import { GOOGLE_TOKEN_URI, type ServiceAccountKey } from './service-account-key.js';

/*
 * The Android Management API, through Google's generated client (googleapis, only its
 * androidmanagement module is loaded: see the README's "which client library" note) and
 * google-auth-library's service-account JWT flow. Pure: it takes the key and the root URL and
 * knows nothing of tenants or the database.
 */

export type AmapiPolicy = androidmanagement_v1.Schema$Policy;
export type AmapiDevice = androidmanagement_v1.Schema$Device;
export type AmapiEnrollmentToken = androidmanagement_v1.Schema$EnrollmentToken;
export type AmapiEnterprise = androidmanagement_v1.Schema$Enterprise;
export type AmapiSignupUrl = androidmanagement_v1.Schema$SignupUrl;
export type AmapiOperation = androidmanagement_v1.Schema$Operation;

export const AMAPI_SCOPE = 'https://www.googleapis.com/auth/androidmanagement';
/** devices.list: "The requested page size ... maximum 100" (the default is 10). */
export const DEVICES_PAGE_SIZE = 100;

export interface AmapiClientOptions {
  key: ServiceAccountKey;
  /** AMAPI_ROOT_URL: https://androidmanagement.googleapis.com/ or a local fake. */
  rootUrl: string;
  retry?: RetryOptions;
}

export interface DevicesPage {
  devices: AmapiDevice[];
  nextPageToken?: string;
}

export class AmapiClient {
  private readonly api: androidmanagement_v1.Androidmanagement;
  private readonly retry: RetryOptions;

  constructor(options: AmapiClientOptions) {
    const auth = new JWT({
      email: options.key.client_email,
      key: options.key.private_key,
      keyId: options.key.private_key_id,
      scopes: [AMAPI_SCOPE],
    });
    // gtoken (inside google-auth-library) always posts to Google's token URL and ignores the key's
    // token_uri. Honour the key instead, so a key minted by a local fake gets its tokens there.
    if (options.key.token_uri !== GOOGLE_TOKEN_URI) {
      const tokenUri = new URL(options.key.token_uri);
      auth.transporter.interceptors.request.add({
        resolved: async (request) => {
          if (request.url.href === GOOGLE_TOKEN_URI) request.url = tokenUri;
          return request;
        },
      });
    }
    // Gaxios' own retries skip POST and PATCH and ignore Retry-After: ours (withRetry) cover every call.
    this.api = new androidmanagement_v1.Androidmanagement({ rootUrl: options.rootUrl, auth, retry: false });
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  private call<T>(request: () => Promise<{ data: T }>): Promise<T> {
    return withRetry(async () => (await request()).data, this.retry);
  }

  createSignupUrl(input: {
    projectId: string;
    callbackUrl: string;
    adminEmail?: string;
  }): Promise<AmapiSignupUrl> {
    return this.call(() => this.api.signupUrls.create(input));
  }

  createEnterprise(input: {
    projectId: string;
    signupUrlName: string;
    enterpriseToken: string;
    displayName?: string;
  }): Promise<AmapiEnterprise> {
    return this.call(() =>
      this.api.enterprises.create({
        projectId: input.projectId,
        signupUrlName: input.signupUrlName,
        enterpriseToken: input.enterpriseToken,
        requestBody: input.displayName ? { enterpriseDisplayName: input.displayName } : {},
      }),
    );
  }

  getEnterprise(name: string): Promise<AmapiEnterprise> {
    return this.call(() => this.api.enterprises.get({ name }));
  }

  /**
   * policies.patch with an explicit updateMask: "If not set, all modifiable fields will be
   * modified", which would wipe whatever a field outside our compiler had set. Every top-level key
   * of `policy` must be in the mask, so the mask and the body cannot drift apart.
   */
  async patchPolicy(name: string, policy: AmapiPolicy, updateMask: readonly string[]): Promise<AmapiPolicy> {
    if (updateMask.length === 0)
      throw new AmapiError(0, 'EMPTY_UPDATE_MASK', 'a policy patch needs an updateMask');
    const outside = Object.keys(policy).filter((field) => !updateMask.includes(field));
    if (outside.length > 0) {
      throw new AmapiError(
        0,
        'UPDATE_MASK_MISMATCH',
        `fields ${outside.join(', ')} are not in the updateMask`,
      );
    }
    return this.call(() =>
      this.api.enterprises.policies.patch({ name, updateMask: updateMask.join(','), requestBody: policy }),
    );
  }

  getPolicy(name: string): Promise<AmapiPolicy> {
    return this.call(() => this.api.enterprises.policies.get({ name }));
  }

  createEnrollmentToken(enterpriseName: string, token: AmapiEnrollmentToken): Promise<AmapiEnrollmentToken> {
    return this.call(() =>
      this.api.enterprises.enrollmentTokens.create({ parent: enterpriseName, requestBody: token }),
    );
  }

  /** Deleting a token that is already gone (expired and purged, or deleted before) is not an error. */
  async deleteEnrollmentToken(name: string): Promise<void> {
    try {
      await this.call(() => this.api.enterprises.enrollmentTokens.delete({ name }));
    } catch (error) {
      if (error instanceof AmapiError && error.status === 404) return;
      throw error;
    }
  }

  async listDevicesPage(enterpriseName: string, pageToken?: string): Promise<DevicesPage> {
    const data = await this.call(() =>
      this.api.enterprises.devices.list({ parent: enterpriseName, pageSize: DEVICES_PAGE_SIZE, pageToken }),
    );
    return { devices: data.devices ?? [], nextPageToken: data.nextPageToken ?? undefined };
  }

  /** Every device, page by page; the next page is already being fetched while the caller works on one. */
  async *listDevices(enterpriseName: string): AsyncGenerator<AmapiDevice[]> {
    let next: Promise<DevicesPage> | undefined = this.listDevicesPage(enterpriseName);
    while (next) {
      const page: DevicesPage = await next;
      next = page.nextPageToken ? this.listDevicesPage(enterpriseName, page.nextPageToken) : undefined;
      // An unconsumed prefetch must not become an unhandled rejection if the caller stops early.
      next?.catch(() => undefined);
      yield page.devices;
    }
  }
}
