// Mail authentication glue over mailauth: the checks on inbound mail (SPF RFC 7208, DKIM
// RFC 6376, DMARC RFC 7489, ARC RFC 8617) summed up as the verdicts a door acts on, with the
// Authentication-Results field (RFC 8601) to prepend; and DKIM signing of outgoing mail.
// DNS goes through the given resolver only (tests serve it from loopback).
import { authenticate, dkimSign } from 'mailauth';
import type { DNSResolver } from 'mailauth';
import type { DnsResolver } from './dns.ts';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface InboundAuth {
  spf: string;
  dkim: string;
  dmarc: string;
  arc: string;
  /** The policy to enforce: set only when DMARC failed and the domain asks for it. */
  dmarcPolicy: DmarcPolicy | null;
  /** Authentication-Results and Received-SPF fields, CRLF-terminated, to prepend. */
  headers: string;
}

export interface InboundContext {
  ip: string;
  helo: string;
  /** MAIL FROM; '' for the null reverse-path. */
  sender: string;
  /** The authserv-id of Authentication-Results (RFC 8601 §2.5): our host name. */
  authservId: string;
  resolver: DnsResolver;
}

export async function checkInbound(raw: Buffer, ctx: InboundContext): Promise<InboundAuth> {
  const r = await authenticate(raw, {
    ip: ctx.ip,
    helo: ctx.helo,
    sender: ctx.sender,
    mta: ctx.authservId,
    resolver: ctx.resolver as unknown as DNSResolver,
    disableBimi: true,
  });
  const dkimResults = r.dkim.results ?? [];
  const dkim = dkimResults.some((d) => d.status.result === 'pass')
    ? 'pass'
    : (dkimResults[0]?.status.result ?? 'none');
  const dmarc = r.dmarc ? r.dmarc.status.result : 'none';
  let dmarcPolicy: DmarcPolicy | null = null;
  if (r.dmarc && dmarc === 'fail') {
    const p = r.dmarc.policy;
    if (p === 'reject' || p === 'quarantine' || p === 'none') dmarcPolicy = p;
  }
  return {
    spf: r.spf ? r.spf.status.result : 'none',
    dkim,
    dmarc,
    arc: r.arc ? r.arc.status.result : 'none',
    dmarcPolicy,
    headers: r.headers,
  };
}

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/** Returns the message with a DKIM-Signature field prepended (relaxed/relaxed, rsa-sha256). */
export async function signDkim(raw: Buffer, key: DkimKey): Promise<Buffer> {
  const sig = { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey };
  // mailauth reads the keys from signatureData; its types also want them at the top level.
  const r = await dkimSign(raw, {
    ...sig,
    canonicalization: 'relaxed/relaxed',
    signatureData: [sig],
  });
  const failed = r.errors[0];
  if (failed) throw failed.err;
  if (!r.signatures) throw new Error('DKIM signing produced no signature');
  return Buffer.concat([Buffer.from(r.signatures, 'utf8'), raw]);
}
