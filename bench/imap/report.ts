// The IMAP benchmark's mailbox contents and report rows. Messages are made from a seeded
// word list, so both servers get byte-identical mailboxes; one message in a hundred holds
// the rare word that the SEARCH scenarios look for.
import { formatTable as table } from '../smtp-ingest/report.ts';

const WORDS = (
  'school teacher province district ministry report budget meeting student exam result ' +
  'curriculum training office letter notice schedule plan review holiday library science ' +
  'mathematics language history geography building repair transport uniform textbook ' +
  'attendance grade semester enrolment inspection committee deadline approval'
).split(' ');

/** Message `n`: about 4 KiB, deterministic; contains `rare` when n % 100 === 0. */
export function corpusMessage(n: number, rare: string): Buffer {
  let seed = n * 2654435761 + 1;
  const rnd = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const lines: string[] = [];
  let size = 0;
  while (size < 3600) {
    const line = Array.from({ length: 10 }, () => WORDS[rnd(WORDS.length)]!).join(' ');
    lines.push(line);
    size += line.length + 2;
  }
  if (n % 100 === 0) lines.splice(rnd(lines.length), 0, `Please forward this to ${rare} office.`);
  const day = String(1 + (n % 28)).padStart(2, '0');
  return Buffer.from(
    `From: Sender ${n % 50} <sender${n % 50}@school.example>\r\n` +
      `To: Bench <bench@bench.test>\r\n` +
      `Subject: ${WORDS[n % WORDS.length]} report number ${n}\r\n` +
      `Date: Sat, ${day} Nov 2026 07:00:00 +0000\r\n` +
      `Message-ID: <${n}.bench@school.example>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n` +
      lines.join('\r\n') +
      '\r\n',
  );
}

export interface Row {
  scenario: string;
  metric: string;
  champa: number | null;
  dovecot: number | null;
  /** > 1 when Champa is better. */
  ratio: number | null;
  digits: number;
}

export function formatTable(rows: Row[]): string {
  return table(
    rows.map((r) => ({ ...r, postfixDovecot: r.dovecot })),
    'Dovecot',
  );
}
