/** The project's library of encodes: their numbers, and what can be done with each (decode, compare, re-encode texts, export, delete). */
import { useEffect, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { mediaRefs, type EncodeInfo, type ExportFormat, type JobInfo, type SourceInfo } from '../../../shared/api/contract.ts';
import { useStudio } from '../../context.tsx';
import { fixed, formatBytes } from '../../format.ts';
import { ErrorNotice, toShownError, type ShownError } from '../common.tsx';
import { ExportDownloads, useExportFiles } from './ExportFiles.tsx';

function paramsSummary(e: EncodeInfo): string {
  if (!e.params) return '—';
  const s = e.params.selection;
  const sel = s.strategy === 'fixed' ? `fixed every ${s.fixedInterval}` : `${s.strategy}, λ1 ${s.lambda1}, λ2 ${s.lambda2}, D_th ${s.threshold}`;
  const g = e.params.geometry;
  const kf = e.params.keyframeCodec === 'learned' ? `; learned keyframes, ${e.params.denoiserSteps ?? 4} denoiser steps` : '';
  const from = e.params.reencodedFrom !== undefined ? `; texts re-encoded from encode ${e.params.reencodedFrom}` : '';
  const mode = e.params.targetKbps !== undefined ? `${e.params.mode} at ${e.params.targetKbps} kbit/s` : e.params.mode;
  const own = (e.params.clipModes ?? []).filter((m) => m !== null).length;
  const clips = own > 0 ? `; ${own} clip${own === 1 ? '' : 's'} with their own mode` : '';
  return `${mode}${clips}; ${sel}; ${g.width}×${g.height}${e.params.keyframeBudgetBytes !== null ? `; ${e.params.keyframeBudgetBytes} B/keyframe` : ''}${kf}${from}`;
}

/** Where the bytes of a finished encode went: guide stream (guided files), keyframes, texts, container. */
export function rateSplit(e: EncodeInfo): string | null {
  const s = e.sections;
  if (!s) return null;
  const guide = s.guide !== undefined && (s.guide > 0 || e.guided) ? `guide ${s.guide} B · ` : '';
  return `${guide}keyframes ${s.keyframes} B · texts ${s.keyframeTexts + s.clipTexts} B · container ${s.container} B`;
}

/** The guide stream of a guided encode: its size, rate and quantiser, and the budget it was chosen under. */
export function guideSummary(e: EncodeInfo): string | null {
  const g = e.guided;
  if (!g) return null;
  const rate = Number.isInteger(g.fps) ? String(g.fps) : g.fps.toFixed(2);
  const budget = g.targetBytes !== null ? ` of a ${g.targetBytes} B budget` : '';
  return `guide ${g.width}×${g.height} at ${rate} fps, CRF ${g.crf} (${g.encoder}): ${g.guideBytes} B${budget}`;
}

/** Bytes of the coded texts (keyframe and clip texts) of a finished encode. */
function textBytes(e: EncodeInfo): number | null {
  return e.sections ? e.sections.keyframeTexts + e.sections.clipTexts : null;
}

/** The list order, except that an encode re-made with new texts sits right below the encode it came from. */
export function besideOrigins(encodes: readonly EncodeInfo[]): EncodeInfo[] {
  const ids = new Set(encodes.map((e) => e.id));
  const children = new Map<number, EncodeInfo[]>();
  for (const e of encodes) {
    const from = e.params?.reencodedFrom;
    if (from !== undefined && ids.has(from) && from !== e.id) children.set(from, [...(children.get(from) ?? []), e]);
  }
  const out: EncodeInfo[] = [];
  const seen = new Set<number>();
  const visit = (e: EncodeInfo): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    out.push(e);
    for (const c of children.get(e.id) ?? []) visit(c);
  };
  for (const e of encodes) {
    const from = e.params?.reencodedFrom;
    if (from === undefined || !ids.has(from)) visit(e);
  }
  for (const e of encodes) visit(e);
  return out;
}

export function EncodeLibrary(props: {
  encodes: readonly EncodeInfo[];
  sources: readonly SourceInfo[];
  error: ShownError | null;
  onJob: (job: JobInfo) => void;
  onCompare: (encodeId: number) => void;
}): ReactNode {
  const { client } = useStudio();
  const [rowError, setRowError] = useState<{ id: number; title: string; error: ShownError } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);
  // Encodes whose "Decode and compare" was pressed here: Compare opens when their reconstruction is ready.
  const [awaitingCompare, setAwaitingCompare] = useState<ReadonlySet<number>>(new Set());
  const exporting = useExportFiles(props.onJob);
  const names = new Map(props.sources.map((s) => [s.id, s.name]));
  const { encodes, onCompare } = props;
  // A cancelled encode has no file: it is hidden unless asked for.
  const [showCancelled, setShowCancelled] = useState(false);
  const cancelledCount = encodes.filter((e) => e.status === 'cancelled').length;
  const shown = besideOrigins(showCancelled ? encodes : encodes.filter((e) => e.status !== 'cancelled'));
  useEffect(() => {
    const ready = encodes.find((e) => awaitingCompare.has(e.id) && e.hasReconstruction);
    if (!ready) return;
    setAwaitingCompare((s) => new Set([...s].filter((id) => id !== ready.id)));
    onCompare(ready.id);
  }, [encodes, awaitingCompare, onCompare]);
  // Guided encodes: the decoder's fidelity/realism setting (no re-encode; the .m3c does not record it).
  const [realism, setRealism] = useState<ReadonlyMap<number, number>>(new Map());
  const decodeAndCompare = (e: EncodeInfo): void => {
    // A second decode (another restoration setting) replaces the reconstruction when its job ends; Compare
    // would open on the old one at once, so it is left to the user.
    if (!e.hasReconstruction) setAwaitingCompare((s) => new Set([...s, e.id]));
    const r = realism.get(e.id);
    client.startDecode(r === undefined ? { encodeId: e.id } : { encodeId: e.id, realism: r }).then(props.onJob, (err: unknown) => {
      setAwaitingCompare((s) => new Set([...s].filter((id) => id !== e.id)));
      fail(e.id, `Could not decode encode ${e.id}`)(err);
    });
  };
  const reencodeTexts = (e: EncodeInfo): void => {
    setRowError(null);
    client.reencodeTexts({ encodeId: e.id }).then((job) => {
      props.onJob(job);
      setSaved(`Re-encoding encode ${e.id} with the current texts: the new encode appears below it, with the same keyframes.`);
    }, fail(e.id, `Could not re-encode encode ${e.id} with these texts`));
  };

  const fail = (id: number, title: string) => (e: unknown) => setRowError({ id, title, error: toShownError(e) });
  const exportTo = (e: EncodeInfo, format: ExportFormat): void => {
    client.exportEncode({ encodeId: e.id, format }).then((r) => {
      if (r.kind === 'saved') setSaved(`Encode ${e.id} exported to ${r.path}`);
    }, fail(e.id, `Could not export encode ${e.id}`));
  };
  const exportControl = (e: EncodeInfo, format: ExportFormat): ReactNode => {
    const what = format === 'm3c' ? '.m3c' : 'mp4';
    const available = format === 'm3c' ? e.status === 'done' : e.hasReconstruction;
    if (!available) return null;
    if (client.mode === 'web') {
      return (
        <Button size="small" component="a" href={client.mediaUrl(mediaRefs.download(e.id, format))} download aria-label={`Download ${what} of encode ${e.id}`}>
          {what}
        </Button>
      );
    }
    return (
      <Button size="small" onClick={() => exportTo(e, format)} aria-label={`Export ${what} of encode ${e.id}`}>
        Export {what}
      </Button>
    );
  };
  const ex = exporting.state;

  return (
    <Box component="section" aria-label="Encode library">
      <Typography variant="h6" component="h2" gutterBottom>
        Library of encodes
      </Typography>
      <ErrorNotice title="The encodes could not be loaded" error={props.error} />
      {saved ? (
        <Typography role="status" color="success.main">
          {saved}
        </Typography>
      ) : null}
      {cancelledCount > 0 ? (
        <FormControlLabel
          control={<Checkbox size="small" checked={showCancelled} onChange={(e) => setShowCancelled(e.target.checked)} />}
          label={`Show cancelled encodes (${cancelledCount})`}
        />
      ) : null}
      {shown.length === 0 ? (
        <Typography color="text.secondary">{encodes.length === 0 ? 'No encodes yet: tune the keyframes on the timeline, then press Encode.' : 'Only cancelled encodes so far.'}</Typography>
      ) : (
        <Box sx={{ overflowX: 'auto' }}>
          <Table size="small" aria-label="Encodes">
            <TableHead>
              <TableRow>
                <TableCell>#</TableCell>
                <TableCell>Video</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Size</TableCell>
                <TableCell align="right">Texts</TableCell>
                <TableCell align="right">bpp</TableCell>
                <TableCell align="right">kbps</TableCell>
                <TableCell align="right">Keyframes</TableCell>
                <TableCell align="right">PSNR</TableCell>
                <TableCell align="right">MS-SSIM</TableCell>
                <TableCell>Rate split</TableCell>
                <TableCell>Parameters</TableCell>
                <TableCell>Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((e) => (
                <TableRow key={e.id} aria-label={`Encode ${e.id}`}>
                  <TableCell>{e.id}</TableCell>
                  <TableCell>{names.get(e.sourceId) ?? e.sourceId}</TableCell>
                  <TableCell>
                    {e.status}
                    {e.error && e.error !== e.status ? `: ${e.error}` : ''}
                  </TableCell>
                  <TableCell align="right">{formatBytes(e.bytes)}</TableCell>
                  <TableCell align="right" aria-label={`Text bits of encode ${e.id}`}>
                    {textBytes(e) === null ? '—' : `${(textBytes(e) as number) * 8} bits`}
                  </TableCell>
                  <TableCell align="right">{fixed(e.bpp, 5)}</TableCell>
                  <TableCell align="right">{fixed(e.kbps, 2)}</TableCell>
                  <TableCell align="right">{e.keyframes.length}</TableCell>
                  <TableCell align="right">{fixed(e.psnr, 2, ' dB')}</TableCell>
                  <TableCell align="right">{fixed(e.msssim, 4)}</TableCell>
                  <TableCell sx={{ fontSize: 12 }}>
                    <Box aria-label={`Rate split of encode ${e.id}`}>{rateSplit(e) ?? '—'}</Box>
                    {guideSummary(e) ? (
                      <Box color="text.secondary" aria-label={`Guide of encode ${e.id}`}>
                        {guideSummary(e)}
                      </Box>
                    ) : null}
                  </TableCell>
                  <TableCell sx={{ fontSize: 12 }}>{paramsSummary(e)}</TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={0.5} sx={{ flexWrap: 'wrap' }}>
                      {e.status === 'done' && e.guided ? (
                        <TextField
                          select
                          size="small"
                          label="Restoration"
                          value={String(realism.get(e.id) ?? 0)}
                          onChange={(ev) => setRealism((m) => new Map([...m, [e.id, Number(ev.target.value)]]))}
                          slotProps={{ htmlInput: { 'aria-label': `Fidelity or realism of encode ${e.id}` } }}
                          sx={{ minWidth: 130 }}
                        >
                          <MenuItem value="0">Fidelity</MenuItem>
                          <MenuItem value="0.5">Balanced</MenuItem>
                          <MenuItem value="1">Realism</MenuItem>
                        </TextField>
                      ) : null}
                      {e.status === 'done' && (!e.hasReconstruction || e.guided) ? (
                        <Button size="small" onClick={() => decodeAndCompare(e)} disabled={awaitingCompare.has(e.id)} aria-label={e.hasReconstruction ? `Decode encode ${e.id} again` : `Decode and compare encode ${e.id}`}>
                          {awaitingCompare.has(e.id) ? 'Decoding…' : e.hasReconstruction ? 'Decode again' : 'Decode and compare'}
                        </Button>
                      ) : null}
                      {e.hasReconstruction ? (
                        <Button size="small" onClick={() => props.onCompare(e.id)} aria-label={`Compare encode ${e.id}`}>
                          Compare
                        </Button>
                      ) : null}
                      {e.status === 'done' ? (
                        <Button size="small" onClick={() => reencodeTexts(e)} aria-label={`Re-encode encode ${e.id} with these texts`}>
                          Re-encode with these texts
                        </Button>
                      ) : null}
                      {e.status === 'done' ? (
                        <Button size="small" onClick={() => exporting.start(e)} disabled={ex?.encodeId === e.id && ex.jobId !== null} aria-label={`Export .m3c and mp4 of encode ${e.id}`}>
                          Export .m3c and mp4
                        </Button>
                      ) : null}
                      {exportControl(e, 'm3c')}
                      {exportControl(e, 'mp4')}
                      {confirmDelete === e.id ? (
                        <>
                          <Button
                            size="small"
                            color="error"
                            onClick={() => {
                              setConfirmDelete(null);
                              client.deleteEncode({ encodeId: e.id }).catch(fail(e.id, `Could not delete encode ${e.id}`));
                            }}
                            aria-label={`Confirm deleting encode ${e.id}`}
                          >
                            Really delete
                          </Button>
                          <Button size="small" onClick={() => setConfirmDelete(null)}>
                            Keep
                          </Button>
                        </>
                      ) : (
                        <Button size="small" color="error" onClick={() => setConfirmDelete(e.id)} aria-label={`Delete encode ${e.id}`}>
                          Delete
                        </Button>
                      )}
                    </Stack>
                    {ex?.encodeId === e.id && ex.message ? (
                      <Typography variant="body2" role="status" aria-label={`Export of encode ${e.id}`}>
                        {ex.message}
                      </Typography>
                    ) : null}
                    {ex?.encodeId === e.id && ex.downloads ? <ExportDownloads encodeId={e.id} files={ex.downloads} onDismiss={exporting.dismiss} /> : null}
                    {ex?.encodeId === e.id ? <ErrorNotice title={`Could not export encode ${e.id}`} error={ex.error} onDismiss={exporting.dismiss} /> : null}
                    {rowError?.id === e.id ? <ErrorNotice title={rowError.title} error={rowError.error} onDismiss={() => setRowError(null)} /> : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Box>
  );
}
