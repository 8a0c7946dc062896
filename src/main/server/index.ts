export { startWebStudio, WEB_CSP, LISTEN_HOST, DEFAULT_RENDERER_DIR, type WebStudio, type WebStudioOptions } from './web-studio.ts';
