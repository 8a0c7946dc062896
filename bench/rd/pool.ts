/**
 * BD figures pooled over clips (issue 9): per configuration of ours and per metric, the mean of the
 * per-clip BD-rate and BD-quality where they are defined, with the number of clips used and, for the
 * others, why each was left out (no overlapping range, too few points). A plain mean over clips, as
 * the JVET tables report a class average; clips are not weighted by length.
 */
import type { BdResult } from './bd.ts';
import { METRIC_LABELS, METRICS, type MetricName } from './metrics.ts';

/** What pooling needs of a clip: its name and its BD entries (a ClipReport has both). */
export interface PoolInputClip {
  readonly name: string;
  readonly bd: readonly { readonly series: string; readonly metric: MetricName; readonly bdRate: BdResult; readonly bdQuality: BdResult }[];
}

export interface PooledValue {
  /** Mean over the clips where the per-clip value is defined; absent when none is. */
  readonly mean?: number;
  /** How many clips the mean is over. */
  readonly clips: number;
  /** Names of the clips used. */
  readonly used: string[];
  /** Clips left out, with why (the per-clip result's kind and reason). */
  readonly skipped: { readonly clip: string; readonly kind: 'no-overlap' | 'overlap-too-small' | 'insufficient' | 'missing'; readonly reason: string }[];
}

export interface PooledBd {
  readonly series: string;
  readonly metric: MetricName;
  readonly bdRate: PooledValue;
  readonly bdQuality: PooledValue;
}

function poolOne(clips: readonly PoolInputClip[], series: string, metric: MetricName, pick: (e: PoolInputClip['bd'][number]) => BdResult): PooledValue {
  const used: string[] = [];
  const values: number[] = [];
  const skipped: PooledValue['skipped'][number][] = [];
  for (const c of clips) {
    const entry = c.bd.find((b) => b.series === series && b.metric === metric);
    if (!entry) {
      skipped.push({ clip: c.name, kind: 'missing', reason: `no ${series} result for this clip` });
      continue;
    }
    const r = pick(entry);
    if (r.kind === 'ok' && Number.isFinite(r.value)) {
      used.push(c.name);
      values.push(r.value);
    } else if (r.kind === 'ok') {
      skipped.push({ clip: c.name, kind: 'insufficient', reason: `non-finite value ${r.value}` });
    } else {
      skipped.push({ clip: c.name, kind: r.kind, reason: r.reason });
    }
  }
  const mean = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  return { ...(mean !== undefined ? { mean } : {}), clips: values.length, used, skipped };
}

/** Pooled BD per series (in first-seen order) and metric (in METRICS order). */
export function poolBd(clips: readonly PoolInputClip[]): PooledBd[] {
  const series: string[] = [];
  for (const c of clips) for (const b of c.bd) if (!series.includes(b.series)) series.push(b.series);
  return series.flatMap((s) =>
    METRICS.map((metric) => ({
      series: s,
      metric,
      bdRate: poolOne(clips, s, metric, (e) => e.bdRate),
      bdQuality: poolOne(clips, s, metric, (e) => e.bdQuality),
    })),
  );
}

function cell(v: PooledValue, total: number, unit: string): string {
  if (v.mean === undefined) return `n/a (0/${total} clips)`;
  const digits = unit === '%' ? 1 : unit === '' ? 4 : 2;
  return `${v.mean >= 0 ? '+' : ''}${v.mean.toFixed(digits)}${unit} (${v.clips}/${total} clips)`;
}

/** The pooled table as Markdown lines, and a line per figure that left clips out. */
export function renderPooledMarkdown(pooled: readonly PooledBd[], totalClips: number): string[] {
  const L: string[] = ['## Pooled over clips', ''];
  if (pooled.length === 0) return [...L, 'No configuration of ours was run.', ''];
  L.push(`Mean of the per-clip BD figures against each clip's anchor envelope, over the clips where the figure is defined (${totalClips} clip${totalClips === 1 ? '' : 's'} in all).`, '');
  L.push('| series | metric | BD-rate | BD-quality |', '|---|---|---|---|');
  for (const p of pooled) L.push(`| ${p.series} | ${METRIC_LABELS[p.metric]} | ${cell(p.bdRate, totalClips, '%')} | ${cell(p.bdQuality, totalClips, p.metric === 'msssim' ? '' : ' dB')} |`);
  const notes: string[] = [];
  for (const p of pooled) {
    for (const [what, v] of [['BD-rate', p.bdRate], ['BD-quality', p.bdQuality]] as const) {
      if (v.skipped.length > 0) notes.push(`- ${p.series}, ${METRIC_LABELS[p.metric]}, ${what}: left out ${v.skipped.map((s) => `${s.clip} (${s.kind === 'no-overlap' ? 'no overlap' : s.kind === 'overlap-too-small' ? 'overlap too small' : s.kind})`).join(', ')}.`);
    }
  }
  if (notes.length > 0) L.push('', 'Clips without a figure (no overlapping range with the envelope, or too few points):', '', ...notes);
  L.push('');
  return L;
}
