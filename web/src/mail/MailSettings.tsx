// Mail settings (signature, out-of-office): filled in by the mail area.
export function MailSettings() {
  return null;
}
