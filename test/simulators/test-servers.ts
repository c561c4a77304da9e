import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * Servers for the simulator's own tests: Debian's `scepserver` (micromdm/scep 2.1) run as a child
 * process, and a tiny scripted HTTP server that records every request.
 */

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ScepServerHandle {
  /** http://127.0.0.1:<port>/scep */
  url: string;
  port: number;
  depot: string;
  /** The CA certificate scepserver created (PEM). */
  caPem: string;
  caPemPath: string;
  process: ChildProcess;
  /** scepserver's log so far (stdout + stderr). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * `scepserver ca -init -depot <tmp> -keySize 2048`, then `scepserver -depot <tmp> -port <free>
 * -challenge <challenge>`, waiting until GetCACaps answers. Note: scepserver 2.1 listens on every
 * interface (`:<port>`); it has no flag to bind 127.0.0.1 only.
 */
export async function startScepServer(options: { challenge: string }): Promise<ScepServerHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rempart-scepserver-'));
  const depot = path.join(dir, 'depot');
  execFileSync(
    'scepserver',
    ['ca', '-init', '-depot', depot, '-keySize', '2048', '-organization', 'Rempart test CA'],
    {
      stdio: 'pipe',
    },
  );
  const port = await freePort();
  const child = spawn(
    'scepserver',
    ['-depot', depot, '-port', String(port), '-challenge', options.challenge],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/scep`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`scepserver exited with code ${child.exitCode}: ${output}`);
    }
    try {
      const response = await fetch(`${url}?operation=GetCACaps`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`scepserver did not start on port ${port}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const caPemPath = path.join(depot, 'ca.pem');
  return {
    url,
    port,
    depot,
    caPem: readFileSync(caPemPath, 'utf8'),
    caPemPath,
    process: child,
    log: () => output,
    stop,
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RecordingServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records requests and answers with `handler` (default: 200, empty). */
export async function startRecordingServer(
  handler: (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply> = () => ({}),
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => handler(recorded))
        .then(
          (reply) => {
            res.writeHead(reply.status ?? 200, reply.headers ?? {});
            res.end(reply.body ?? '');
          },
          (error: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(String(error));
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
