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

  private async send<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
