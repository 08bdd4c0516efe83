// Runs `npm ci` only when node_modules does not match package-lock.json (or the Node version changed), so a
// rebuild does not reinstall the same packages. A fresh clone has no stamp and always installs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'node_modules', '.weft-deps-stamp');
const hash = createHash('sha256');
for (const f of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(root, f)));
hash.update(process.version);
const want = hash.digest('hex');

const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (have === want && process.env.WEFT_UI_NPM_CI !== 'always') {
  console.log('weft-ui: node_modules matches package-lock.json; skipping npm ci');
  process.exit(0);
}
console.log('weft-ui: npm ci');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`weft-ui: npm ci failed (exit ${r.status ?? r.signal}); the npm registry must be reachable`);
  process.exit(r.status || 1);
}
writeFileSync(stamp, want + '\n');
