import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);

/** dist/demo/ -> dist/apps/cli/src/main.js */
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/cli/src/main.js');

/**
 * The officer API as a script uses it: JSON over HTTP with a bearer token. The tenant and its admin
 * are created through the operator CLI, as on a new deployment.
 */
export class ApiClient {
  private constructor(
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  static async bootstrap(options: { apiUrl: string; env: Record<string, string>; tenant: string }) {
    const env = { ...process.env, ...options.env };
    await run(process.execPath, [CLI, 'tenant', 'create', options.tenant, '--name', 'DINUM (démo)'], { env });
    const { stdout } = await run(
      process.execPath,
      [
        CLI,
        'officer',
        'create',
        '--tenant',
        options.tenant,
        '--email',
        `rssi@${options.tenant}.gouv.fr`,
        '--role',
        'admin',
      ],
      { env },
    );
    const token = stdout.trim().split('\n').pop() ?? '';
    return new ApiClient(options.apiUrl, token);
  }

  get<T = unknown>(route: string): Promise<T> {
    return this.send<T>('GET', route);
  }

  post<T = unknown>(route: string, body: unknown): Promise<T> {
    return this.send<T>('POST', route, body);
  }

  put<T = unknown>(route: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', route, body);
  }

  patch<T = unknown>(route: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', route, body);
  }

  /** A route that answers a file rather than JSON (a PEM certificate). */
  getText(route: string): Promise<string> {
    return this.exchange('GET', route);
  }

  /** A file sent as it was downloaded (the ABM server token), answered with JSON. */
  async putFile<T = unknown>(route: string, contentType: string, file: string): Promise<T> {
    const text = await this.exchange('PUT', route, { contentType, body: file });
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send<T>(method: string, route: string, body?: unknown): Promise<T> {
    const text = await this.exchange(
      method,
      route,
      body === undefined ? undefined : { contentType: 'application/json', body: JSON.stringify(body) },
    );
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async exchange(
    method: string,
    route: string,
    payload?: { contentType: string; body: string },
  ): Promise<string> {
    const response = await fetch(`${this.apiUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(payload === undefined ? {} : { 'content-type': payload.contentType }),
      },
      body: payload?.body,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${method} ${route} answered ${response.status}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`,
      );
    }
    return text;
  }
}
