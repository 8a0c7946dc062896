import { Fragment, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { EncodeInfo, Geometry, JobInfo, ProjectSummary, SourceInfo } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { formatDuration, formatGeometry } from '../format.ts';
import type { ProjectState } from '../hooks/useProject.ts';
import { EmptyState, ErrorNotice, toShownError, type ShownError } from './common.tsx';
import { DeleteIcon, EditIcon } from './icons.tsx';
import { EncodeLibrary } from './JobsView.tsx';
import { SourceFit } from './SourceFit.tsx';

export interface ProjectsViewProps {
  projectId: number | null;
  onOpen: (projectId: number | null) => void;
  project: ProjectState;
  sourceId: number | null;
  onSource: (sourceId: number) => void;
  jobs: readonly JobInfo[];
  onJob: (job: JobInfo) => void;
  onCompare: (encodeId: number) => void;
}

export function ProjectsView(props: ProjectsViewProps): ReactNode {
  const { client } = useStudio();
  const [projects, setProjects] = useState<readonly ProjectSummary[] | null>(null);
  const [error, setError] = useState<{ title: string; error: ShownError; retry?: () => void } | null>(null);
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);

  const load = useCallback(() => {
    client.listProjects({}).then(
      (list) => {
        setProjects([...list].sort((a, b) => b.updatedAt - a.updatedAt));
        setError(null);
      },
      (e: unknown) => setError({ title: 'The projects could not be listed', error: toShownError(e), retry: load }),
    );
  }, [client]);
  useEffect(load, [load]);

  const create = (): void => {
    const trimmed = name.trim();
    if (!trimmed) return;
    client.createProject({ name: trimmed }).then(
      (p) => {
        setName('');
        load();
        props.onOpen(p.id);
      },
      (e: unknown) => setError({ title: 'The project was not created', error: toShownError(e) }),
    );
  };
  const rename = (): void => {
    if (!renaming || !renaming.name.trim()) return;
    client.renameProject({ projectId: renaming.id, name: renaming.name.trim() }).then(
      () => {
        setRenaming(null);
        load();
        if (renaming.id === props.projectId) props.project.reload();
      },
      (e: unknown) => setError({ title: 'The project was not renamed', error: toShownError(e) }),
    );
  };
  const remove = (id: number): void => {
    setConfirmDelete(null);
    client.deleteProject({ projectId: id }).then(
      () => {
        if (id === props.projectId) props.onOpen(null);
        load();
      },
      (e: unknown) => setError({ title: 'The project was not deleted', error: toShownError(e) }),
    );
  };

  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '320px minmax(0, 1fr)' }, gap: 2 }}>
      <Paper variant="outlined" sx={{ p: 2, alignSelf: 'start' }} component="section" aria-label="Projects">
        <Typography variant="h6" component="h2" gutterBottom>
          Projects
        </Typography>
        <Box component="form" onSubmit={(e) => { e.preventDefault(); create(); }} sx={{ display: 'flex', gap: 1, mb: 1 }}>
          <TextField size="small" label="New project name" value={name} onChange={(e) => setName(e.target.value)} sx={{ flex: 1 }} />
          <Button type="submit" variant="contained" disabled={!name.trim()} aria-label="Create project">
            Create
          </Button>
        </Box>
        {error ? <ErrorNotice title={error.title} error={error.error} onRetry={error.retry} onDismiss={() => setError(null)} /> : null}
        {projects === null && !error ? <LinearProgress aria-label="Loading projects" /> : null}
        {projects && projects.length === 0 ? (
          <Typography color="text.secondary">No projects yet: type a name above and press Create.</Typography>
        ) : null}
        <List dense aria-label="Project list">
          {projects?.map((p) =>
            renaming?.id === p.id ? (
              <ListItem key={p.id} component="form" onSubmit={(e) => { e.preventDefault(); rename(); }} sx={{ gap: 1 }}>
                <TextField size="small" autoFocus label={`New name for ${p.name}`} value={renaming.name} onChange={(e) => setRenaming({ id: p.id, name: e.target.value })} />
                <Button type="submit" size="small" aria-label="Save project name">Save</Button>
                <Button size="small" onClick={() => setRenaming(null)}>Cancel</Button>
              </ListItem>
            ) : (
              <ListItem
                key={p.id}
                disablePadding
                secondaryAction={
                  confirmDelete === p.id ? (
                    <>
                      <Button size="small" color="error" onClick={() => remove(p.id)} aria-label={`Confirm deleting project ${p.name}`}>
                        Delete
                      </Button>
                      <Button size="small" onClick={() => setConfirmDelete(null)}>Keep</Button>
                    </>
                  ) : (
                    <>
                      <IconButton size="small" onClick={() => setRenaming({ id: p.id, name: p.name })} aria-label={`Rename project ${p.name}`}>
                        <EditIcon fontSize="small" />
                      </IconButton>
                      <IconButton size="small" onClick={() => setConfirmDelete(p.id)} aria-label={`Delete project ${p.name}`}>
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </>
                  )
                }
              >
                <ListItemButton selected={p.id === props.projectId} onClick={() => props.onOpen(p.id)} aria-label={`Open project ${p.name}`}>
                  <ListItemText primary={p.name} secondary={`${p.sourceCount} video${p.sourceCount === 1 ? '' : 's'} · ${p.encodeCount} encode${p.encodeCount === 1 ? '' : 's'}`} />
                </ListItemButton>
              </ListItem>
            ),
          )}
        </List>
      </Paper>
      <Box sx={{ minWidth: 0 }}>
        {props.projectId === null ? (
          <EmptyState title="No project open">Create a project, or open one from the list, to import a video.</EmptyState>
        ) : (
          <ProjectDetailPanel {...props} projectId={props.projectId} />
        )}
      </Box>
    </Box>
  );
}

function ProjectDetailPanel(props: ProjectsViewProps & { projectId: number }): ReactNode {
  const { navigate } = useStudio();
  const { project } = props;
  const detail = project.detail;
  if (project.error) return <ErrorNotice title="The project could not be opened" error={project.error} onRetry={project.reload} />;
  if (!detail) return <LinearProgress aria-label="Opening project" />;
  return (
    <Stack spacing={2}>
      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label="Videos">
        <Typography variant="h6" component="h2">
          {detail.project.name}
        </Typography>
        <Typography color="text.secondary" gutterBottom>
          Working geometry {formatGeometry(detail.geometry)}
        </Typography>
        <ImportSource projectId={props.projectId} onImported={(source, job) => { if (job) props.onJob(job); project.reload(); props.onSource(source.id); navigate('timeline'); }} />
        {detail.sources.length === 0 ? (
          <Typography color="text.secondary" sx={{ mt: 2 }}>
            No videos in this project yet: import one above.
          </Typography>
        ) : (
          <SourceList
            sources={detail.sources}
            geometry={detail.geometry}
            selected={props.sourceId}
            onSelect={props.onSource}
            jobs={props.jobs}
            onJob={props.onJob}
            onChanged={project.reload}
          />
        )}
      </Paper>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <EncodeLibrary encodes={project.encodes as EncodeInfo[]} sources={detail.sources} error={project.encodesError} onJob={props.onJob} onCompare={props.onCompare} />
      </Paper>
    </Stack>
  );
}

function SourceList(props: {
  sources: readonly SourceInfo[];
  geometry: Geometry;
  selected: number | null;
  onSelect: (id: number) => void;
  jobs: readonly JobInfo[];
  onJob: (job: JobInfo) => void;
  onChanged: () => void;
}): ReactNode {
  const { client, navigate } = useStudio();
  const [error, setError] = useState<ShownError | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  return (
    <>
      <ErrorNotice title="The video was not removed" error={error} onDismiss={() => setError(null)} />
      <List dense aria-label="Videos in this project">
        {props.sources.map((s) => {
          const job = props.jobs.find((j) => j.kind === 'analysis' && j.sourceId === s.id && (j.state === 'running' || j.state === 'queued'));
          const state = s.analysis ? `${s.analysis.frameCount} frames analysed` : job ? `analysing ${Math.round(job.fraction * 100)} %` : 'not analysed';
          return (
            <Fragment key={s.id}>
              <ListItem
                disablePadding
                secondaryAction={
                  confirm === s.id ? (
                    <>
                      <Button size="small" color="error" aria-label={`Confirm removing video ${s.name}`} onClick={() => { setConfirm(null); client.deleteSource({ sourceId: s.id }).then(props.onChanged, (e: unknown) => setError(toShownError(e))); }}>
                        Remove
                      </Button>
                      <Button size="small" onClick={() => setConfirm(null)}>Keep</Button>
                    </>
                  ) : (
                    <IconButton size="small" aria-label={`Remove video ${s.name}`} onClick={() => setConfirm(s.id)}>
                      <DeleteIcon fontSize="small" />
                    </IconButton>
                  )
                }
              >
                <ListItemButton selected={s.id === props.selected} onClick={() => { props.onSelect(s.id); navigate('timeline'); }} aria-label={`Open video ${s.name}`}>
                  <ListItemText primary={s.name} secondary={`${s.width}×${s.height} · ${s.fps.toFixed(2)} fps · ${formatDuration(s.durationSec)} · ${state}`} />
                </ListItemButton>
              </ListItem>
              <ListItem disablePadding>
                <SourceFit
                  source={s}
                  geometry={props.geometry}
                  onChanged={(_source, job) => {
                    if (job) props.onJob(job);
                    props.onChanged();
                  }}
                />
              </ListItem>
            </Fragment>
          );
        })}
      </List>
    </>
  );
}

function ImportSource(props: { projectId: number; onImported: (source: SourceInfo, job: JobInfo | null) => void }): ReactNode {
  const { client } = useStudio();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ error: ShownError; retry: () => void } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const run = (what: string, call: () => Promise<{ source: SourceInfo; job: JobInfo | null }>, retry: () => void): void => {
    setBusy(what);
    setError(null);
    call().then(
      (r) => {
        setBusy(null);
        setPath('');
        props.onImported(r.source, r.job);
      },
      (e: unknown) => {
        setBusy(null);
        setError({ error: toShownError(e), retry });
      },
    );
  };
  const importPath = (p: string): void => run('Importing…', () => client.importSource({ projectId: props.projectId, path: p }), () => importPath(p));
  const choose = (): void => {
    client.chooseSourceFile({}).then(
      (r) => {
        if (r.path) importPath(r.path);
      },
      (e: unknown) => setError({ error: toShownError(e), retry: choose }),
    );
  };
  const upload = (file: File): void => {
    const send = client.upload;
    if (!send) return;
    run(`Uploading ${file.name}…`, () => send(props.projectId, file), () => upload(file));
  };

  return (
    <Box component="section" aria-label="Import a video">
      <Box component="form" onSubmit={(e) => { e.preventDefault(); if (path.trim()) importPath(path.trim()); }} sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        <TextField
          size="small"
          label="Video file path"
          placeholder="/path/to/video.mp4"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          sx={{ flex: '1 1 320px' }}
          helperText="A path on the machine running the studio"
        />
        <Button type="submit" variant="contained" disabled={!path.trim() || busy !== null} aria-label="Import video from path">
          Import
        </Button>
        {client.mode === 'electron' ? (
          <Button variant="outlined" onClick={choose} disabled={busy !== null} aria-label="Choose a video file">
            Choose file…
          </Button>
        ) : client.upload ? (
          <>
            <Button variant="outlined" onClick={() => fileInput.current?.click()} disabled={busy !== null} aria-label="Upload a video file">
              Upload…
            </Button>
            <input
              ref={fileInput}
              type="file"
              accept="video/*"
              hidden
              aria-label="Video file to upload"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) upload(f);
              }}
            />
          </>
        ) : null}
      </Box>
      {busy ? (
        <Box sx={{ mt: 1 }}>
          <Typography variant="body2">{busy}</Typography>
          <LinearProgress aria-label="Import progress" />
        </Box>
      ) : null}
      {error ? <ErrorNotice title="The video was not imported" error={error.error} onRetry={error.retry} onDismiss={() => setError(null)} /> : null}
    </Box>
  );
}
