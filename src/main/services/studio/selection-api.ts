/** Keyframe selection: the saved selection of a source's analysis and the rate model the Timeline shows. */
import type { RateModel, SavedSelection } from '../../../shared/api/contract.ts';
import { deserialiseFrameSignals, selectKeyframes } from '../../../shared/keyframes/index.ts';
import { encodeText } from '../../../shared/text/index.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

/** Bytes of one coded description before the source has any. */
const DEFAULT_TEXT_BYTES = 40;

export class SelectionApi {
  constructor(private readonly ctx: StudioContext) {}

  async getSelection(p: Record<string, unknown>): Promise<SavedSelection | null> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const a = this.ctx.analysisOf(source);
    return a ? this.ctx.latestSelection(a, source.id) : null;
  }

  async saveSelection(p: Record<string, unknown>): Promise<SavedSelection> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const a = this.ctx.requireAnalysis(source);
    const params = v.selection(p.params);
    const { keyframes } = selectKeyframes(deserialiseFrameSignals(a.signals), params);
    const s = this.ctx.store.saveSelection({ analysisId: a.id, params, keyframes, overrides: params.overrides ?? null });
    return { id: s.id, sourceId: source.id, analysisId: a.id, params, keyframes: [...s.keyframes], savedAt: s.createdAt };
  }

  async getRateModel(p: Record<string, unknown>): Promise<RateModel> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const texts = this.ctx.store.listDescriptions(source.id);
    const keyframeItems = texts.filter((d) => d.itemKind === 'keyframe').length;
    const bytes = texts.reduce((a, d) => a + encodeText(d.text).length, 0);
    return {
      bytesPerKeyframe: this.ctx.engine().defaultKeyframeBudget,
      bytesPerText: keyframeItems > 0 ? Math.round(bytes / keyframeItems) : DEFAULT_TEXT_BYTES,
    };
  }
}
