import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: string;
  status: number;
}

/** A local HTTP endpoint that records what it receives; `answer` chooses each status code. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Status codes for the next requests, in order; 204 once they run out. */
  readonly answers: number[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const status = receiver.answers.shift() ?? 204;
        receiver.received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        response.statusCode = status;
        response.end(status >= 400 ? 'receiver unavailable' : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}/hooks/rempart`;
  }

  delivered(): ReceivedWebhook[] {
    return this.received.filter((r) => r.status < 300);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
