import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built once and served by the web bridge (under any path) and loaded from app.asar by Electron (file/custom
// scheme), so every asset URL is relative.
export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // Electron 41 and current Chromium only.
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});
