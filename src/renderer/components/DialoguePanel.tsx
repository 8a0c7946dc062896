import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { DescriptionInfo, DialogueTranscript, ItemKind, JobInfo, LmmStatus, PromptsInfo, SourceInfo } from '../../shared/api/contract.ts';
import { useStudio, useStudioEvents } from '../context.tsx';
import { formatEta, formatTime } from '../format.ts';
import { isActive } from '../hooks/useJobs.ts';
import { itemsAt } from '../timeline/model.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';

/** Quiet time after the last keystroke before a description is written; leaving the field writes at once. */
export const DESCRIPTION_SAVE_DELAY_MS = 500;

export interface DialoguePanelProps {
  projectId: number;
  source: SourceInfo | null;
  /** The keyframes on screen (the timeline's current selection). */
  keyframes: readonly number[] | null;
  frameCount: number;
  current: number;
  onCurrent: (frame: number) => void;
  jobs: readonly JobInfo[];
  onJob: (job: JobInfo) => void;
  /** Stores the on-screen selection before a re-run, so main describes the same items. */
  flushSelection: () => Promise<void>;
}

export function DialoguePanel(props: DialoguePanelProps): ReactNode {
  const { navigate } = useStudio();
  const { source, keyframes } = props;
  if (!source) {
    return (
      <EmptyState title="No video open" action={<Button variant="contained" onClick={() => navigate('projects')}>Go to projects</Button>}>
        Import a video into a project; the dialogue behind each keyframe and clip description appears here.
      </EmptyState>
    );
  }
  if (!keyframes || keyframes.length === 0) {
    return (
      <EmptyState title="No keyframes yet" action={<Button variant="contained" onClick={() => navigate('timeline')}>Open the timeline</Button>}>
        The video needs its analysis and a keyframe selection before its items can be described.
      </EmptyState>
    );
  }
  return <DialogueContent {...props} source={source} keyframes={keyframes} />;
}

type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

function DialogueContent(props: DialoguePanelProps & { source: SourceInfo; keyframes: readonly number[] }): ReactNode {
  const { client, navigate } = useStudio();
  const { source, keyframes, current, onCurrent, jobs, onJob, projectId } = props;
  const [kind, setKind] = useState<ItemKind>('keyframe');
  const { clipIndex: index } = itemsAt(keyframes, current);
  const frameIndex = keyframes[index];
  const clipEnd = index + 1 < keyframes.length ? keyframes[index + 1] - 1 : props.frameCount - 1;

  const [lmm, setLmm] = useState<LmmStatus | null>(null);
  const [lmmError, setLmmError] = useState<ShownError | null>(null);
  const loadLmm = useCallback(() => {
    client.getLmmStatus({}).then(
      (s) => {
        setLmm(s);
        setLmmError(null);
      },
      (e: unknown) => setLmmError(toShownError(e)),
    );
  }, [client]);
  useEffect(loadLmm, [loadLmm]);

  const [descriptions, setDescriptions] = useState<readonly DescriptionInfo[]>([]);
  const [listError, setListError] = useState<ShownError | null>(null);
  const loadDescriptions = useCallback(() => {
    client.listDescriptions({ sourceId: source.id }).then(
      (list) => {
        setDescriptions(list);
        setListError(null);
      },
      (e: unknown) => setListError(toShownError(e)),
    );
  }, [client, source.id]);
  useEffect(loadDescriptions, [loadDescriptions]);

  const [transcripts, setTranscripts] = useState<readonly DialogueTranscript[] | null>(null);
  const [transcriptError, setTranscriptError] = useState<ShownError | null>(null);
  const loadTranscripts = useCallback(() => {
    setTranscripts(null);
    client.getDialogue({ sourceId: source.id, itemKind: kind, itemIndex: index }).then(
      (t) => {
        setTranscripts(t);
        setTranscriptError(null);
      },
      (e: unknown) => setTranscriptError(toShownError(e)),
    );
  }, [client, source.id, kind, index]);
  useEffect(loadTranscripts, [loadTranscripts]);

  useStudioEvents((e) => {
    if (e.type === 'description-updated' && e.description.sourceId === source.id) {
      setDescriptions((list) => [
        ...list.filter((d) => !(d.itemKind === e.description.itemKind && d.itemIndex === e.description.itemIndex)),
        e.description,
      ]);
    } else if (e.type === 'job-finished' && e.job.kind === 'describe' && e.job.sourceId === source.id) {
      loadTranscripts();
      loadDescriptions();
    }
  });

  const description = descriptions.find((d) => d.itemKind === kind && d.itemIndex === index) ?? null;

  // Draft of the description being edited; replaced when the item changes or main reports a new text while
  // the user is not typing.
  const [draft, setDraft] = useState(description?.text ?? '');
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const [saveError, setSaveError] = useState<ShownError | null>(null);
  const itemKey = `${source.id}:${kind}:${index}`;
  const editing = useRef<{ key: string; text: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (editing.current?.key !== itemKey) setDraft(description?.text ?? '');
  }, [itemKey, description?.text]);

  const save = useCallback((): void => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    const edit = editing.current;
    if (!edit) return;
    editing.current = null;
    const [, k, i] = edit.key.split(':');
    const itemKind = k as ItemKind;
    const itemIndex = Number(i);
    setSaveState('saving');
    client.setDescription({ sourceId: source.id, itemKind, itemIndex, frameIndex: keyframes[itemIndex] ?? 0, text: edit.text }).then(
      (d) => {
        setDescriptions((list) => [...list.filter((x) => !(x.itemKind === d.itemKind && x.itemIndex === d.itemIndex)), d]);
        if (editing.current === null) setSaveState('saved');
        setSaveError(null);
      },
      (e: unknown) => {
        setSaveState('error');
        setSaveError(toShownError(e));
        // Keep the text so "Retry" writes it again.
        editing.current ??= edit;
      },
    );
  }, [client, source.id, keyframes]);

  // Moving to another item writes what was typed for the previous one.
  useEffect(() => () => save(), [itemKey, save]);

  const onEdit = (text: string): void => {
    setDraft(text);
    editing.current = { key: itemKey, text };
    setSaveState('pending');
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(save, DESCRIPTION_SAVE_DELAY_MS);
  };

  const describeJob = jobs.find((j) => j.kind === 'describe' && j.sourceId === source.id && isActive(j)) ?? null;
  const [runError, setRunError] = useState<ShownError | null>(null);
  const rerun = (items?: { kind: ItemKind; index: number }[]): void => {
    setRunError(null);
    props
      .flushSelection()
      .then(() => client.describe({ sourceId: source.id, items }))
      .then(onJob, (e: unknown) => setRunError(toShownError(e)));
  };

  const ready = lmm?.state === 'ready';
  const label = kind === 'keyframe' ? `Keyframe ${index} (frame ${frameIndex})` : `Clip ${index} (frames ${frameIndex}–${clipEnd})`;

  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 1fr) minmax(0, 1fr)' }, gap: 2 }}>
      <Box sx={{ minWidth: 0 }}>
        {lmmError ? <ErrorNotice title="The LMM status could not be read" error={lmmError} onRetry={loadLmm} /> : null}
        {lmm && lmm.state === 'not-configured' ? (
          <Alert
            severity="info"
            role="status"
            aria-label="LMM not configured"
            action={
              <Button color="inherit" size="small" onClick={() => navigate('settings')} aria-label="Open settings to configure the LMM">
                Open settings
              </Button>
            }
            sx={{ mb: 2 }}
          >
            <AlertTitle>No multimodal model (LMM) is configured</AlertTitle>
            {lmm.message} Descriptions can still be edited by hand; re-running the dialogue needs an LMM endpoint.
          </Alert>
        ) : null}
        {lmm && lmm.state === 'unreachable' ? (
          <Alert
            severity="warning"
            action={
              <>
                <Button color="inherit" size="small" onClick={loadLmm}>
                  Check again
                </Button>
                <Button color="inherit" size="small" onClick={() => navigate('settings')} aria-label="Open settings to configure the LMM">
                  Open settings
                </Button>
              </>
            }
            sx={{ mb: 2 }}
          >
            <AlertTitle>The LMM endpoint does not answer</AlertTitle>
            {lmm.message}
          </Alert>
        ) : null}

        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
          <ToggleButtonGroup exclusive size="small" value={kind} aria-label="Item kind" onChange={(_e, v: ItemKind | null) => v && setKind(v)}>
            <ToggleButton value="keyframe" aria-label="Keyframe description">
              Keyframe
            </ToggleButton>
            <ToggleButton value="clip" aria-label="Clip description">
              Clip
            </ToggleButton>
          </ToggleButtonGroup>
          <Button size="small" disabled={index === 0} onClick={() => onCurrent(keyframes[index - 1])} aria-label="Previous item">
            Previous
          </Button>
          <Typography component="h2" variant="subtitle1" aria-label="Selected item">
            {label}
          </Typography>
          <Button size="small" disabled={index + 1 >= keyframes.length} onClick={() => onCurrent(keyframes[index + 1])} aria-label="Next item">
            Next
          </Button>
        </Stack>

        {listError ? <ErrorNotice title="The descriptions could not be loaded" error={listError} onRetry={loadDescriptions} /> : null}
        <TextField
          label="Description text"
          multiline
          minRows={3}
          fullWidth
          value={draft}
          onChange={(e) => onEdit(e.target.value)}
          onBlur={save}
          placeholder={ready ? 'No description yet: re-run this item or type one' : 'No description yet: type one'}
          helperText={
            saveState === 'pending' || saveState === 'saving'
              ? 'Saving…'
              : saveState === 'error'
                ? 'Not saved'
                : description
                  ? `${description.bits} bits after text coding · ${description.origin === 'user' ? 'edited by hand' : description.origin === 'lmm' ? 'from the LMM dialogue' : 'from a description file'} · ${saveState === 'saved' ? 'saved' : `updated ${formatTime(description.updatedAt)}`}`
                  : 'Not described yet'
          }
          slotProps={{ formHelperText: { 'aria-live': 'polite' } as object, htmlInput: { 'aria-label': 'Description text' } }}
        />
        <Box aria-label="Description size" sx={{ mt: 0.5 }}>
          {description ? <Chip size="small" label={`${description.bits} bits`} /> : null}
          {description?.stale ? <Chip size="small" color="warning" sx={{ ml: 0.5 }} label="Stale: written for another selection, left out of encodes" /> : null}
        </Box>
        <ErrorNotice title="The description was not saved" error={saveError} onRetry={save} />

        <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
          <Button variant="outlined" disabled={!ready || describeJob !== null} onClick={() => rerun([{ kind, index }])} aria-label="Re-run the dialogue for this item">
            Re-run this item
          </Button>
          <Button variant="outlined" disabled={!ready || describeJob !== null} onClick={() => rerun()} aria-label="Re-run the dialogue for all items">
            Re-run all
          </Button>
        </Stack>
        {describeJob ? (
          <Box sx={{ mt: 1 }}>
            <Typography variant="body2">
              Describing: {describeJob.stage} {describeJob.total > 0 ? `${describeJob.done} / ${describeJob.total}` : ''} · {formatEta(describeJob.etaSeconds)}
            </Typography>
            <LinearProgress variant="determinate" value={Math.round(describeJob.fraction * 100)} aria-label="Description progress" />
          </Box>
        ) : null}
        <ErrorNotice title="The dialogue could not be started" error={runError} onRetry={() => rerun([{ kind, index }])} />

        <Typography variant="subtitle1" component="h3" sx={{ mt: 3 }}>
          Dialogue transcript
        </Typography>
        {transcriptError ? <ErrorNotice title="The transcript could not be loaded" error={transcriptError} onRetry={loadTranscripts} /> : null}
        {transcripts === null && !transcriptError ? <LinearProgress aria-label="Loading transcript" /> : null}
        {transcripts && transcripts.length === 0 ? (
          <Typography color="text.secondary">No dialogue has been run for this item yet.</Typography>
        ) : null}
        <Stack spacing={2} aria-label="Dialogue transcript" role="list">
          {transcripts?.map((tr) => (
            <Paper key={tr.id} variant="outlined" sx={{ p: 1.5 }} role="listitem">
              <Typography variant="body2" color="text.secondary">
                {tr.model} · {formatTime(tr.startedAt)} · {tr.status}
              </Typography>
              {tr.rounds.map((r) => (
                <Box key={r.round} sx={{ mt: 1 }} aria-label={`Round ${r.round}`} role="group">
                  <Typography variant="caption" color="text.secondary">
                    Round {r.round} · {r.template} · {r.model} · {r.ms} ms{r.cached ? ' (cached)' : ''}
                  </Typography>
                  <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', fontWeight: 600 }}>
                    {r.prompt}
                  </Typography>
                  <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap' }}>
                    {r.answer}
                  </Typography>
                </Box>
              ))}
              {tr.description !== null ? (
                <Typography variant="body2" sx={{ mt: 1 }}>
                  Final description: {tr.description}
                </Typography>
              ) : null}
            </Paper>
          ))}
        </Stack>
      </Box>
      <PromptEditor projectId={projectId} item={{ kind, index }} itemLabel={label} />
    </Box>
  );
}

function PromptEditor(props: { projectId: number; item: { kind: ItemKind; index: number }; itemLabel: string }): ReactNode {
  const { client } = useStudio();
  const { projectId, item } = props;
  const [prompts, setPrompts] = useState<PromptsInfo | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [scope, setScope] = useState<'project' | 'item'>('project');
  const [drafts, setDrafts] = useState<Record<string, string>>({});

  const load = useCallback(() => {
    client.getPrompts({ projectId }).then(
      (p) => {
        setPrompts(p);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [client, projectId]);
  useEffect(load, [load]);
  useEffect(() => setDrafts({}), [scope, item.kind, item.index]);

  if (!prompts) return error ? <ErrorNotice title="The prompt templates could not be loaded" error={error} onRetry={load} /> : <LinearProgress aria-label="Loading prompt templates" />;

  const itemKey = `${item.kind}:${item.index}`;
  const itemOverrides = prompts.items[itemKey] ?? {};
  const write = (templateId: string, text: string | null): void => {
    client.setPrompt({ projectId, templateId, text, item: scope === 'item' ? item : undefined }).then(
      (p) => {
        setPrompts(p);
        setDrafts((d) => {
          const { [templateId]: _dropped, ...rest } = d;
          return rest;
        });
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  };

  return (
    <Box component="section" aria-label="Prompt templates" sx={{ minWidth: 0 }}>
      <Typography variant="subtitle1" component="h3">
        Prompt templates (version {prompts.version})
      </Typography>
      <ToggleButtonGroup exclusive size="small" value={scope} aria-label="Template scope" onChange={(_e, v: 'project' | 'item' | null) => v && setScope(v)} sx={{ my: 1 }}>
        <ToggleButton value="project" aria-label="Edit templates for the whole project">
          Whole project
        </ToggleButton>
        <ToggleButton value="item" aria-label="Edit templates for this item only">
          This item: {props.itemLabel}
        </ToggleButton>
      </ToggleButtonGroup>
      <ErrorNotice title="The template was not saved" error={error} onRetry={load} />
      <Stack spacing={2}>
        {prompts.templates.map((t) => {
          const stored = scope === 'item' ? (itemOverrides[t.id] ?? null) : t.projectText;
          const inherited = scope === 'item' ? (t.projectText ?? t.defaultText) : t.defaultText;
          const value = drafts[t.id] ?? stored ?? inherited;
          const dirty = drafts[t.id] !== undefined && drafts[t.id] !== (stored ?? inherited);
          return (
            <Box key={t.id}>
              <TextField
                label={`Template ${t.id}`}
                multiline
                minRows={2}
                fullWidth
                value={value}
                onChange={(e) => setDrafts((d) => ({ ...d, [t.id]: e.target.value }))}
                helperText={`${stored === null ? (scope === 'item' ? 'inherits the project template' : 'default') : 'overridden'} · variables: ${t.variables.map((v) => `{${v}}`).join(', ') || 'none'}`}
              />
              <Stack direction="row" spacing={1}>
                <Button size="small" disabled={!dirty} onClick={() => write(t.id, value)} aria-label={`Save template ${t.id}`}>
                  Save
                </Button>
                <Button size="small" disabled={stored === null} onClick={() => write(t.id, null)} aria-label={`Reset template ${t.id}`}>
                  {scope === 'item' ? 'Use the project template' : 'Reset to default'}
                </Button>
              </Stack>
            </Box>
          );
        })}
      </Stack>
    </Box>
  );
}
