// After `vite build`: writes the list of built files (the server loads exactly these from the classpath) and
// target/ui-size.json with the raw and gzip size of every asset, for BENCHMARKS.md.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'target', 'classes', 'dev', 'weft', 'ui');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = walk(out).map((p) => relative(out, p).split(sep).join('/')).filter((f) => f !== 'files.txt').sort();
writeFileSync(join(out, 'files.txt'), files.join('\n') + '\n');

const assets = files.map((f) => {
  const bytes = readFileSync(join(out, f));
  // level 6 is zlib's default, which is what java.util.zip.GZIPOutputStream (the server) uses
  return { file: f, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 6 }).length };
});
const sum = (pred, key) => assets.filter(pred).reduce((a, b) => a + b[key], 0);
const isJs = (a) => a.file.endsWith('.js');
const report = {
  javascriptBytes: sum(isJs, 'bytes'),
  javascriptGzipBytes: sum(isJs, 'gzipBytes'),
  totalBytes: sum(() => true, 'bytes'),
  totalGzipBytes: sum(() => true, 'gzipBytes'),
  assets,
};
writeFileSync(join(root, 'target', 'ui-size.json'), JSON.stringify(report, null, 2) + '\n');
console.log(`weft-ui: ${files.length} files; JavaScript ${report.javascriptBytes} bytes, ${report.javascriptGzipBytes} gzipped`);
