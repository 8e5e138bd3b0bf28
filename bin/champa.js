#!/usr/bin/env node
// The `champa` command. Champa runs TypeScript directly, which needs Node.js 24; `npm install`
// brings Node 24 into node_modules/.bin, and `npx champa` / `npm run champa` put it first.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Champa needs Node.js 24 (this is Node.js ${process.versions.node}); ` +
      'run it through npx champa or npm run champa, which use the Node 24 installed by npm install',
  );
  process.exit(1);
}
// Keep V8's compiled code between runs (a default folder under the system's temp folder).
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../src/main.ts');
