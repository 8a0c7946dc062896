/** Media references of the studio contract (./contract.ts): names of the binary resources main serves, and their strict parser. */
import type { ExportFormat } from './contract.ts';
import { FITS, type Fit } from './fit.ts';

/**
 * A transport-neutral name of a binary resource served by main, e.g. "thumb/3/120". Turn it into a URL
 * with client.mediaUrl(ref): web -> /media/<ref>?token=..., Electron -> m3c-media://media/<ref>.
 */
export type MediaRef = string;

export const mediaRefs = {
  // thumb, preview, original: at the source's fit, or at `fit` when given (a preview of a fit not chosen yet,
  // the proxy at the fit an encode was made with); naming the fit also keeps a cached picture of another fit from being shown.
  /** Small JPEG of frame `frame` (index at the working geometry) for the filmstrip. */
  thumbnail: (sourceId: number, frame: number, fit?: Fit): MediaRef => `thumb/${sourceId}/${frame}${fit ? `/${fit}` : ''}`,
  /** Working-geometry JPEG of one frame for the large preview. */
  preview: (sourceId: number, frame: number, fit?: Fit): MediaRef => `preview/${sourceId}/${frame}${fit ? `/${fit}` : ''}`,
  /** Working-geometry mp4 proxy of the source (made once, cached). */
  original: (sourceId: number, fit?: Fit): MediaRef => `original/${sourceId}${fit ? `/${fit}` : ''}`,
  /** The decoded reconstruction of an encode (after startDecode). */
  reconstruction: (encodeId: number): MediaRef => `reconstruction/${encodeId}`,
  /** Attachment download of an encode's .m3c or reconstructed mp4 (web export). */
  download: (encodeId: number, format: ExportFormat): MediaRef => `download/${encodeId}/${format}`,
  /** Raw serialised FrameSignals (application/octet-stream), an alternative to getSignals. */
  signals: (sourceId: number): MediaRef => `signals/${sourceId}`,
} as const;

export type ParsedMediaRef =
  | { readonly kind: 'thumb' | 'preview'; readonly sourceId: number; readonly frame: number; readonly fit?: Fit }
  | { readonly kind: 'original'; readonly sourceId: number; readonly fit?: Fit }
  | { readonly kind: 'signals'; readonly sourceId: number }
  | { readonly kind: 'reconstruction'; readonly encodeId: number }
  | { readonly kind: 'download'; readonly encodeId: number; readonly format: ExportFormat };

/** Strict parser of a MediaRef (main validates every ref with it); undefined for anything else. */
export function parseMediaRef(ref: string): ParsedMediaRef | undefined {
  const parts = ref.split('/');
  const id = (s: string | undefined): number | undefined => (s !== undefined && /^(0|[1-9]\d{0,9})$/.test(s) ? Number(s) : undefined);
  const a = id(parts[1]);
  if (a === undefined) return undefined;
  // An optional last part naming a fit: absent gives {}, a known fit { fit }, anything else undefined.
  const fitAt = (i: number): { fit?: Fit } | undefined => {
    if (parts.length === i) return {};
    const f = parts[i] as Fit;
    return parts.length === i + 1 && FITS.includes(f) ? { fit: f } : undefined;
  };
  switch (parts[0]) {
    case 'thumb':
    case 'preview': {
      const frame = id(parts[2]);
      const fit = fitAt(3);
      return frame !== undefined && fit ? { kind: parts[0], sourceId: a, frame, ...fit } : undefined;
    }
    case 'original': {
      const fit = fitAt(2);
      return fit ? { kind: 'original', sourceId: a, ...fit } : undefined;
    }
    case 'signals':
      return parts.length === 2 ? { kind: 'signals', sourceId: a } : undefined;
    case 'reconstruction':
      return parts.length === 2 ? { kind: 'reconstruction', encodeId: a } : undefined;
    case 'download':
      return parts.length === 3 && (parts[2] === 'm3c' || parts[2] === 'mp4') ? { kind: 'download', encodeId: a, format: parts[2] } : undefined;
    default:
      return undefined;
  }
}
