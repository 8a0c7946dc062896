/** Settings: the model pack, ffmpeg, the LMM endpoint and the default working geometry. */
import { M3cError } from '../../../shared/engine/errors.ts';
import type { StudioSettings } from '../../../shared/api/contract.ts';
import { locateFfmpeg } from '../../media/index.ts';
import { writeSettings } from '../settings.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

export class SettingsApi {
  constructor(private readonly ctx: StudioContext) {}

  async getSettings(): Promise<StudioSettings> {
    let modelPack: StudioSettings['modelPack'] = null;
    let modelPackError: string | null = null;
    try {
      const e = this.ctx.engine();
      modelPack = {
        packId: e.manifest.packId,
        hash: Buffer.from(e.modelPackHash).toString('hex'),
        dir: e.manifest.dir,
        models: e.manifest.models.map((m) => ({ slot: m.slot, file: m.file, sha256: m.sha256 })),
      };
    } catch (e) {
      modelPackError = (e as Error).message;
    }
    let ffmpeg: StudioSettings['ffmpeg'];
    try {
      ffmpeg = { path: locateFfmpeg().ffmpeg, error: null };
    } catch (e) {
      ffmpeg = { path: null, error: (e as Error).message };
    }
    const s = this.ctx.settings;
    return {
      mode: this.ctx.options.mode,
      modelPack,
      modelPackError,
      lmm: { baseUrl: s.lmm.baseUrl, model: s.lmm.model, apiKeySet: !!s.lmm.apiKey },
      ffmpeg,
      geometry: s.geometry,
      projectsDir: this.ctx.projectsDir,
      keyframeCodecs: this.ctx.keyframeCodecsInfo(),
    };
  }

  async updateSettings(p: Record<string, unknown>): Promise<StudioSettings> {
    let next = this.ctx.settings;
    if (p.lmm !== undefined) {
      const l = v.paramsObject(p.lmm);
      const baseUrl = l.baseUrl === null ? null : v.text(l, 'baseUrl', 2000, { nonEmpty: true }).trim();
      if (baseUrl !== null && !/^https?:\/\/[^\s]+$/.test(baseUrl)) throw new M3cError('usage', `LMM endpoint "${baseUrl}" must be an http(s) URL such as http://127.0.0.1:11434/v1`);
      const model = l.model === undefined ? next.lmm.model : l.model === null ? null : v.text(l, 'model', 200, { nonEmpty: true });
      const apiKey = l.apiKey === undefined ? next.lmm.apiKey : l.apiKey === null ? null : v.text(l, 'apiKey', 2000);
      next = { ...next, lmm: { baseUrl, model, apiKey } };
    }
    if (p.geometry !== undefined) next = { ...next, geometry: v.geometry(p.geometry) };
    await writeSettings(this.ctx.projectsDir, next, this.ctx.secrets);
    this.ctx.settings = next;
    return this.getSettings();
  }
}
