// The import's row problems come from the server in English (core/userimport.ts); the common
// ones are shown in the interface language, with the address, unit or line they name. Anything
// else is shown as the server wrote it.
import { useTranslation } from 'react-i18next';

const PATTERNS: [RegExp, string, string[]][] = [
  [/^unit (\S+) is outside your reach$/, 'outside', ['unit']],
  [/^unknown unit (\S+)$/, 'unknownUnit', ['unit']],
  [/^duplicate address (\S+) \(also on line (\d+)\)$/, 'duplicate', ['address', 'line']],
  [/^address (\S+) is already in use/, 'inUse', ['address']],
  [/^domain (\S+) is not served here$/, 'domain', ['domain']],
  [/^bad (?:email address|alias|personal_email) "(.*)"$/, 'badAddress', ['address']],
  [/^quota "(.*)" is not a size/, 'badQuota', ['quota']],
  [/^name is empty$/, 'noName', []],
  [/^unit is empty$/, 'noUnit', []],
  [/^weak password: (.*)$/, 'weakPassword', ['detail']],
];

export function useRowError(): (message: string) => string {
  const { t } = useTranslation('admin');
  return (message) => {
    for (const [re, key, names] of PATTERNS) {
      const m = re.exec(message);
      if (m)
        return t(`rowError.${key}`, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
    }
    return message;
  };
}
