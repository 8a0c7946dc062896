import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { DescriptionInfo, DialogueItemInfo, DialogueTranscript, ItemKind, JobInfo, LmmStatus, SourceInfo } from '../../shared/api/contract.ts';
import { useStudio, useStudioEvents } from '../context.tsx';
import { formatEta, formatTime } from '../format.ts';
import { isActive } from '../hooks/useJobs.ts';
import { itemsAt } from '../timeline/model.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { ItemList, listedItems } from './dialogue/ItemList.tsx';
import { ItemPictures } from './dialogue/ItemPictures.tsx';
import { itemLabel, type ItemRef } from './dialogue/labels.ts';
import { PromptEditor } from './dialogue/PromptEditor.tsx';
import { Transcript } from './dialogue/Transcript.tsx';

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

  // Where every item stands (main reads the transcripts); reloaded as descriptions come and the describe job moves.
  const [itemStates, setItemStates] = useState<readonly DialogueItemInfo[]>([]);
  const [itemsError, setItemsError] = useState<ShownError | null>(null);
  const loadItems = useCallback(() => {
    client.listDialogueItems({ sourceId: source.id }).then(
      (list) => {
        setItemStates(list);
        setItemsError(null);
      },
      (e: unknown) => setItemsError(toShownError(e)),
    );
  }, [client, source.id]);
  useEffect(loadItems, [loadItems]);

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

  const progressSeen = useRef('');
  useStudioEvents((e) => {
    if (e.type === 'description-updated' && e.description.sourceId === source.id) {
      setDescriptions((list) => [
        ...list.filter((d) => !(d.itemKind === e.description.itemKind && d.frameIndex === e.description.frameIndex)),
        e.description,
      ]);
      // Another text may have gone stale with it (a clip built on this keyframe's text).
      loadItems();
      loadDescriptions();
    } else if (e.type === 'job-finished' && e.job.kind === 'describe' && e.job.sourceId === source.id) {
      loadTranscripts();
      loadDescriptions();
      loadItems();
    } else if (e.type === 'job-progress' && e.job.kind === 'describe' && e.job.sourceId === source.id) {
      const key = `${e.job.id}:${e.job.done}:${e.job.stage}`;
      if (key !== progressSeen.current) {
        progressSeen.current = key;
        loadItems();
      }
    }
  });

  const description = descriptions.find((d) => d.itemKind === kind && d.frameIndex === frameIndex) ?? null;

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
        setDescriptions((list) => [...list.filter((x) => !(x.itemKind === d.itemKind && x.frameIndex === d.frameIndex)), d]);
        if (editing.current === null) setSaveState('saved');
        setSaveError(null);
        loadItems();
      },
      (e: unknown) => {
        setSaveState('error');
        setSaveError(toShownError(e));
        // Keep the text so "Retry" writes it again.
        editing.current ??= edit;
      },
    );
  }, [client, source.id, keyframes, loadItems]);

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
  // What each describe job started here asked for, so "Retry" repeats it (a re-run of all answers its finished items from the cache).
  const requested = useRef(new Map<string, ItemRef[] | undefined>());
  const [runError, setRunError] = useState<ShownError | null>(null);
  // The grounding round (issue 14): off unless asked, since its regions steer every later guided encode.
  const [askRegions, setAskRegions] = useState(false);
  const rerun = (items?: ItemRef[]): void => {
    setRunError(null);
    props
      .flushSelection()
      .then(() => client.describe({ sourceId: source.id, items, ...(askRegions ? { regions: true } : {}) }))
      .then((job) => {
        requested.current.set(job.id, items);
        onJob(job);
      }, (e: unknown) => setRunError(toShownError(e)));
  };

  // The last describe job of this video, when it failed and the failure was not dismissed: shown here, where it was started.
  const [dismissed, setDismissed] = useState<string | null>(null);
  const lastDescribe = jobs.filter((j) => j.kind === 'describe' && j.sourceId === source.id).reduce<JobInfo | null>((a, j) => (a === null || j.createdAt >= a.createdAt ? j : a), null);
  const failedJob = lastDescribe?.state === 'failed' && lastDescribe.error && lastDescribe.id !== dismissed ? lastDescribe : null;

  const ready = lmm?.state === 'ready';
  const count = keyframes.length;
  const label = itemLabel(kind, index, count, frameIndex, kind === 'keyframe' ? frameIndex : clipEnd);
  const items = listedItems(keyframes, props.frameCount, itemStates);
  const failedItems = items.filter((i) => i.state === 'failed').map(({ kind: k, index: n }) => ({ kind: k, index: n }));
  const retryFailed = (): void => {
    if (!failedJob) return;
    setDismissed(failedJob.id);
    const asked = requested.current.has(failedJob.id) ? requested.current.get(failedJob.id) : failedItems.length > 0 ? failedItems : undefined;
    rerun(asked);
  };
  const currentItem = items.find((i) => i.kind === kind && i.index === index);
  const open = (it: ItemRef & { frame: number }): void => {
    setKind(it.kind);
    onCurrent(it.frame);
  };

  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 3fr) minmax(0, 2fr)' }, gap: 2 }}>
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
        {failedJob ? (
          <ErrorNotice title="The dialogue did not finish" error={failedJob.error ? toShownError(failedJob.error) : null} onRetry={retryFailed} onDismiss={() => setDismissed(failedJob.id)} />
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
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: 'minmax(0, 2fr) minmax(0, 3fr)' }, gap: 2, alignItems: 'start' }}>
          <ItemPictures sourceId={source.id} fit={source.fit} kind={kind} frame={frameIndex} lastFrame={kind === 'keyframe' ? frameIndex : clipEnd} label={label} />
          <Box sx={{ minWidth: 0 }}>
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
              {description && !description.stale && description.keyframeChanged ? (
                <Chip size="small" color="warning" sx={{ ml: 0.5 }} label="Stale: the keyframe text changed after this clip was described" />
              ) : null}
            </Box>
            {currentItem?.state === 'failed' && currentItem.reason ? (
              <Alert severity="error" role="alert" aria-label="This item failed" sx={{ mt: 1 }}>
                The last dialogue of {label} failed: {currentItem.reason}
              </Alert>
            ) : null}
            <ErrorNotice title="The description was not saved" error={saveError} onRetry={save} />
          </Box>
        </Box>

        <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
          <Button variant="outlined" disabled={!ready || describeJob !== null} onClick={() => rerun([{ kind, index }])} aria-label="Re-run the dialogue for this item">
            Re-run this item
          </Button>
          <Button variant="outlined" disabled={!ready || describeJob !== null} onClick={() => rerun()} aria-label="Re-run the dialogue for all items">
            Re-run all
          </Button>
          <FormControlLabel
            control={<Checkbox size="small" checked={askRegions} onChange={(e) => setAskRegions(e.target.checked)} slotProps={{ input: { 'aria-label': 'Ask the LMM for regions of interest' } }} />}
            label="Ask for regions of interest (the keyframes' boxes go to the Timeline as LMM regions)"
          />
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

        <Transcript transcripts={transcripts} error={transcriptError} onRetry={loadTranscripts} />
      </Box>
      <Box sx={{ minWidth: 0, display: 'flex', flexDirection: 'column', gap: 2 }}>
        {itemsError ? <ErrorNotice title="The item states could not be loaded" error={itemsError} onRetry={loadItems} /> : null}
        <ItemList items={items} selected={{ kind, index }} count={count} onOpen={open} />
        <PromptEditor projectId={projectId} item={{ kind, index }} itemLabel={label} />
      </Box>
    </Box>
  );
}
