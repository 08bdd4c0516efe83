import { defineConfig } from 'vite';

// The built UI lands where Maven packages it: target/classes/dev/weft/ui, so the jar holds exactly this build's
// files under dev/weft/ui/ (emptyOutDir removes older ones) and weft-server serves them at /.
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  build: {
    outDir: 'target/classes/dev/weft/ui',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 400,
    reportCompressedSize: false,
  },
  server: {
    // `npm run dev` against a running ./weft server
    proxy: { '/api': 'http://127.0.0.1:9797', '/health': 'http://127.0.0.1:9797' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
} as any);
