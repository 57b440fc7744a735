/**
 * A UDP socket standing in for the X-Ray daemon Lambda runs, for the tests of
 * in-code spans: it keeps every datagram and splits each into what AWS's X-Ray
 * UDP exporter sends (a protocol line, then "T1S" and the OTLP protobuf in
 * base64).
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DaemonDatagram {
  /** The first line, parsed: the daemon protocol's header. */
  readonly protocol: unknown;
  /** What follows the header line. */
  readonly payload: string;
  /** Lines after the payload (there should be none). */
  readonly rest: readonly string[];
  /** The protobuf after the three-character prefix, as latin1 text to search for names and ids. */
  readonly otlp: string;
}

export interface XRayDaemon {
  /** host:port, as AWS_XRAY_DAEMON_ADDRESS gives it. */
  readonly address: string;
  readonly datagrams: Buffer[];
  /** Waits up to a second for `count` datagrams, then returns them all, split. */
  received(count: number): Promise<DaemonDatagram[]>;
  close(): Promise<void>;
}

export function splitDatagram(datagram: Buffer): DaemonDatagram {
  const [protocol, payload, ...rest] = datagram.toString('utf8').split('\n');
  return {
    protocol: JSON.parse(protocol),
    payload,
    rest,
    otlp: Buffer.from(payload.slice(3), 'base64').toString('latin1'),
  };
}

export async function startXRayDaemon(): Promise<XRayDaemon> {
  const socket = dgram.createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (message) => datagrams.push(message));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    datagrams,
    async received(count) {
      for (let i = 0; i < 100 && datagrams.length < count; i++) await new Promise((r) => setTimeout(r, 10));
      return datagrams.map(splitDatagram);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
