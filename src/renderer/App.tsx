import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CssBaseline from '@mui/material/CssBaseline';
import IconButton from '@mui/material/IconButton';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { ThemeProvider } from '@mui/material/styles';
import type { StudioClient } from '../shared/api/client.ts';
import { CompareView } from './components/CompareView.tsx';
import { DialoguePanel } from './components/DialoguePanel.tsx';
import { MoonIcon, SunIcon } from './components/icons.tsx';
import { JobsView, type EncodeChoice } from './components/JobsView.tsx';
import { ProjectsView } from './components/ProjectsView.tsx';
import { SettingsView } from './components/SettingsView.tsx';
import { TimelineView } from './components/TimelineView.tsx';
import { StudioContext, useStudio, type Section, type StudioContextValue } from './context.tsx';
import { isActive, useJobs } from './hooks/useJobs.ts';
import { useProject } from './hooks/useProject.ts';
import { useTimeline } from './hooks/useTimeline.ts';
import { createStudioTheme, markerColours, saveThemeMode, type ThemeMode } from './theme.ts';
import { saveLastView, type LastView } from './last-view.ts';

const SECTIONS: readonly { id: Section; label: string }[] = [
  { id: 'projects', label: 'Projects' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'dialogue', label: 'Dialogue' },
  { id: 'jobs', label: 'Jobs & exports' },
  { id: 'compare', label: 'Compare' },
  { id: 'settings', label: 'Settings' },
];

export interface AppProps {
  client: StudioClient;
  initialTheme: ThemeMode;
  /** Where the theme choice is remembered (localStorage in the browser). */
  storage?: Pick<Storage, 'setItem'> | null;
  initialSection?: Section;
  /** The project, video and section to reopen (saved when the page was left); it wins over initialSection. */
  initialView?: LastView | null;
  /** Filmstrip width before layout (tests). */
  initialFilmstripWidth?: number;
}

export function App(props: AppProps): ReactNode {
  const [mode, setMode] = useState<ThemeMode>(props.initialTheme);
  const [section, setSection] = useState<Section>(props.initialView?.section ?? props.initialSection ?? 'projects');
  const theme = useMemo(() => createStudioTheme(mode), [mode]);
  const context = useMemo<StudioContextValue>(() => ({ client: props.client, navigate: setSection, colours: markerColours(mode) }), [props.client, mode]);
  const toggleTheme = (): void => {
    const next = mode === 'dark' ? 'light' : 'dark';
    setMode(next);
    saveThemeMode(props.storage ?? null, next);
  };
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <StudioContext.Provider value={context}>
        <Studio
          section={section}
          onSection={setSection}
          mode={mode}
          onToggleTheme={toggleTheme}
          initialFilmstripWidth={props.initialFilmstripWidth}
          initialView={props.initialView ?? null}
          storage={props.storage ?? null}
        />
      </StudioContext.Provider>
    </ThemeProvider>
  );
}

function Studio(props: {
  section: Section;
  onSection: (s: Section) => void;
  mode: ThemeMode;
  onToggleTheme: () => void;
  initialFilmstripWidth?: number;
  initialView: LastView | null;
  storage: Pick<Storage, 'setItem'> | null;
}): ReactNode {
  const { client } = useStudio();
  const { section, onSection, storage } = props;
  const [projectId, setProjectId] = useState<number | null>(props.initialView?.projectId ?? null);
  const [sourceId, setSourceId] = useState<number | null>(props.initialView?.sourceId ?? null);
  const [frame, setFrame] = useState(0);
  const [compareId, setCompareId] = useState<number | null>(null);
  const jobs = useJobs();
  const project = useProject(projectId);
  const sources = project.detail?.sources ?? [];
  const source = sources.find((s) => s.id === sourceId) ?? null;
  const timeline = useTimeline(source);

  // A freshly opened project shows its first video, and so does one whose video was removed; a video just
  // imported is kept while the project's list catches up with it.
  const awaitedSource = useRef<number | null>(null);
  const chooseSource = useCallback((id: number) => {
    awaitedSource.current = id;
    setSourceId(id);
  }, []);
  useEffect(() => {
    const list = project.detail?.sources;
    if (!list) return;
    if (sourceId !== null && list.some((s) => s.id === sourceId)) awaitedSource.current = null;
    else if (sourceId === null || sourceId !== awaitedSource.current) setSourceId(list[0]?.id ?? null);
  }, [project.detail, sourceId]);
  useEffect(() => setFrame(0), [sourceId]);

  // A reopened project that has been deleted since: back to no project, not an error on every tab.
  const restored = useRef(props.initialView?.projectId ?? null);
  useEffect(() => {
    if (restored.current === null || projectId !== restored.current) return;
    if (project.detail) restored.current = null;
    else if (project.error) {
      restored.current = null;
      setProjectId(null);
      setSourceId(null);
    }
  }, [project.detail, project.error, projectId]);
  useEffect(() => saveLastView(storage, { projectId, sourceId, section }), [storage, projectId, sourceId, section]);

  const openProject = (id: number | null): void => {
    setProjectId(id);
    setSourceId(null);
    setCompareId(null);
  };

  const encode = useCallback(
    // Without a choice (the timeline's button) the service's defaults: guided at its default rate.
    async (choice: EncodeChoice = {}): Promise<void> => {
      if (!source) return;
      await timeline.flush();
      jobs.upsert(await client.startEncode({ sourceId: source.id, ...choice }));
      onSection('jobs');
    },
    [client, source, timeline, jobs, onSection],
  );

  const running = jobs.jobs.filter(isActive).length;

  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="static" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar variant="dense" sx={{ gap: 2 }}>
          <Typography variant="h6" component="h1">
            M3-CVC Studio
          </Typography>
          <Typography color="text.secondary" aria-label="Open project and video">
            {project.detail ? project.detail.project.name : 'no project open'}
            {source ? ` · ${source.name}` : ''}
          </Typography>
          <Box sx={{ flex: 1 }} />
          {running > 0 ? (
            <Button size="small" onClick={() => onSection('jobs')} aria-label="Running jobs">
              {running} job{running === 1 ? '' : 's'} running
            </Button>
          ) : null}
          <Tooltip title={props.mode === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}>
            <IconButton onClick={props.onToggleTheme} aria-label="Dark theme" aria-pressed={props.mode === 'dark'}>
              {props.mode === 'dark' ? <SunIcon /> : <MoonIcon />}
            </IconButton>
          </Tooltip>
        </Toolbar>
        <Tabs value={section} onChange={(_e, v: Section) => onSection(v)} aria-label="Studio sections" variant="scrollable">
          {SECTIONS.map((s) => (
            <Tab key={s.id} value={s.id} label={s.label} id={`tab-${s.id}`} aria-controls="studio-panel" />
          ))}
        </Tabs>
      </AppBar>
      <Box component="main" id="studio-panel" role="tabpanel" aria-labelledby={`tab-${section}`} sx={{ p: 2 }}>
        {section === 'projects' ? (
          <ProjectsView
            projectId={projectId}
            onOpen={openProject}
            project={project}
            sourceId={sourceId}
            onSource={chooseSource}
            jobs={jobs.jobs}
            onJob={jobs.upsert}
            onCompare={(id) => {
              setCompareId(id);
              onSection('compare');
            }}
          />
        ) : null}
        {section === 'timeline' ? (
          <TimelineView
            source={source}
            timeline={timeline}
            jobs={jobs.jobs}
            onJob={jobs.upsert}
            current={frame}
            onCurrent={setFrame}
            onEncode={() => encode()}
            initialFilmstripWidth={props.initialFilmstripWidth}
          />
        ) : null}
        {section === 'dialogue' && projectId !== null ? (
          <DialoguePanel
            projectId={projectId}
            source={source}
            keyframes={timeline.timeline?.keyframes ?? null}
            frameCount={timeline.timeline?.frameCount ?? 0}
            current={frame}
            onCurrent={setFrame}
            jobs={jobs.jobs}
            onJob={jobs.upsert}
            flushSelection={timeline.flush}
          />
        ) : null}
        {section === 'dialogue' && projectId === null ? (
          <DialoguePanel projectId={-1} source={null} keyframes={null} frameCount={0} current={0} onCurrent={setFrame} jobs={[]} onJob={jobs.upsert} flushSelection={timeline.flush} />
        ) : null}
        {section === 'jobs' ? (
          <JobsView
            projectId={projectId}
            source={source}
            sources={sources}
            jobs={jobs.jobs}
            jobsError={jobs.error}
            onRefreshJobs={jobs.refresh}
            onJob={jobs.upsert}
            encodes={project.encodes}
            encodesError={project.encodesError}
            keyframes={timeline.timeline?.keyframes ?? null}
            frameCount={timeline.timeline?.frameCount ?? 0}
            onEncode={encode}
            onCompare={(id) => {
              setCompareId(id);
              onSection('compare');
            }}
          />
        ) : null}
        {section === 'compare' ? <CompareView encodes={project.encodes} encodeId={compareId} onSelect={setCompareId} /> : null}
        {section === 'settings' ? <SettingsView project={project.detail} onProjectChanged={project.reload} /> : null}
      </Box>
    </Box>
  );
}
