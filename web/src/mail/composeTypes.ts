// What the mail area hands to the compose chunk and gets back, kept apart so that the
// first visit does not load the editor to know these shapes.
import type { EmailFull } from './model.ts';

export interface ComposeRequest {
  mode: 'new' | 'reply' | 'replyAll' | 'forward' | 'draft';
  /** The message replied to or forwarded, or the draft to go on with. */
  source?: EmailFull;
}

export interface Sent {
  /** When the server sends it (ms since the epoch): until then it can be called back. */
  sendAt: number;
  /** Cancels the submission; the draft back (to edit again), or null when it had left. */
  undo(): Promise<EmailFull | null>;
}
