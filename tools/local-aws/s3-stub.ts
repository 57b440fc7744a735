/** A minimal local S3 endpoint (HTTP/1.1) that records PutObject calls, or fails them on demand. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredObject {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export class S3Stub {
  public readonly objects: StoredObject[] = [];
  public failWith?: number;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.failWith) {
        res.writeHead(this.failWith, { 'content-type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
        return;
      }
      this.objects.push({
        path: decodeURIComponent(req.url ?? ''),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { etag: '"1"' });
      res.end();
    });
  });

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
