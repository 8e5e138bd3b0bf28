// Lint for the whole tree. The `layers` block keeps the import directions of
// docs/ARCHITECTURE.md true: a layer may import the layers below it, never above.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Layers from the bottom up; each may import only the ones before it. */
const order = ['util', 'mail', 'store', 'core'];
const protocols = ['queue', 'smtp', 'imap', 'pop3', 'jmap', 'dav', 'eas'];
const upper = ['http', 'cli'];

/** @param {string[]} names */
const banned = (names) => [
  {
    group: [...new Set([...names.flatMap((n) => [`**/${n}/*`]), '**/main.ts'])],
    message: 'This import breaks the layer order of docs/ARCHITECTURE.md.',
  },
];

/** @type {import('eslint').Linter.Config[]} */
const layers = [];
order.forEach((layer, i) => {
  const above = [...order.slice(i + 1), ...protocols, ...upper];
  layers.push({
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: banned(above) }] },
  });
});
for (const p of protocols) {
  // Protocols never import each other; the queue may use the SMTP client only.
  const others = protocols.filter((o) => o !== p && !(p === 'queue' && o === 'smtp'));
  layers.push({
    files: [`src/${p}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: banned([...others, ...upper]) }] },
  });
}
// The admin API's schemas and types stand alone: the server's http door and the web app import
// them, and they import none of the server.
layers.push({
  files: ['src/api/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: banned(['mail', 'store', 'core', ...protocols, ...upper]) },
    ],
  },
});
layers.push({
  files: ['src/http/**/*.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: banned(['cli']) }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layers,
  // The web app: browser globals, the rules of hooks; it talks to the server only over HTTP
  // (JMAP and the JSON API), so it may import the shared shapes of src/api and nothing else.
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        location: 'readonly',
        history: 'readonly',
      },
    },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/*', '!**/src/api', '**/src/api/*/**'],
              message: 'The web app may import only src/api from the server tree.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/public/sw.js'],
    languageOptions: {
      globals: { self: 'readonly', caches: 'readonly', fetch: 'readonly', URL: 'readonly' },
    },
  },
);
