import { useCallback, useEffect, useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { Geometry, LmmStatus, ProjectDetail, StudioSettings } from '../../shared/api/contract.ts';
import { useStudio } from '../context.tsx';
import { formatGeometry } from '../format.ts';
import { ErrorNotice, toShownError, type ShownError } from './common.tsx';

function Section(props: { title: string; children: ReactNode }): ReactNode {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-label={props.title}>
      <Typography variant="h6" component="h2" gutterBottom>
        {props.title}
      </Typography>
      {props.children}
    </Paper>
  );
}

export function SettingsView(props: { project: ProjectDetail | null; onProjectChanged: () => void }): ReactNode {
  const { client } = useStudio();
  const [settings, setSettings] = useState<StudioSettings | null>(null);
  const [lmm, setLmm] = useState<LmmStatus | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  const load = useCallback(() => {
    client.getSettings({}).then(
      (s) => {
        setSettings(s);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
    client.getLmmStatus({}).then(setLmm, () => setLmm(null));
  }, [client]);
  useEffect(load, [load]);

  if (!settings) return error ? <ErrorNotice title="Settings could not be loaded" error={error} onRetry={load} /> : <LinearProgress aria-label="Loading settings" />;
  return (
    <Stack spacing={2}>
      <ModelPackSection settings={settings} />
      <LmmSection settings={settings} status={lmm} onSaved={(s) => { setSettings(s); client.getLmmStatus({}).then(setLmm, () => setLmm(null)); }} />
      <Section title="ffmpeg">
        {settings.ffmpeg.error ? (
          <Alert severity="error">{settings.ffmpeg.error}</Alert>
        ) : (
          <Typography>
            Using <code>{settings.ffmpeg.path ?? 'ffmpeg from PATH'}</code>
          </Typography>
        )}
      </Section>
      <GeometrySection settings={settings} project={props.project} onSaved={setSettings} onProjectChanged={props.onProjectChanged} />
      <Section title="Projects folder">
        <Typography>
          Projects are stored in <code>{settings.projectsDir}</code> ({settings.mode === 'web' ? 'web studio' : 'desktop app'}).
        </Typography>
      </Section>
    </Stack>
  );
}

function ModelPackSection({ settings }: { settings: StudioSettings }): ReactNode {
  const pack = settings.modelPack;
  return (
    <Section title="Model pack">
      {settings.modelPackError ? <Alert severity="error">{settings.modelPackError}</Alert> : null}
      {pack ? (
        <>
          <Typography>
            <strong>{pack.packId}</strong> · hash <code>{pack.hash.slice(0, 16)}</code> · <code>{pack.dir}</code>
          </Typography>
          <Table size="small" aria-label="Models">
            <TableHead>
              <TableRow>
                <TableCell>Slot</TableCell>
                <TableCell>File</TableCell>
                <TableCell>SHA-256</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {pack.models.map((m) => (
                <TableRow key={m.slot}>
                  <TableCell>{m.slot}</TableCell>
                  <TableCell>{m.file}</TableCell>
                  <TableCell>
                    <code>{m.sha256.slice(0, 16)}…</code>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : !settings.modelPackError ? (
        <Typography color="text.secondary">No model pack is installed.</Typography>
      ) : null}
    </Section>
  );
}

function LmmSection(props: { settings: StudioSettings; status: LmmStatus | null; onSaved: (s: StudioSettings) => void }): ReactNode {
  const { client } = useStudio();
  const { settings, status } = props;
  const [baseUrl, setBaseUrl] = useState(settings.lmm.baseUrl ?? '');
  const [model, setModel] = useState(settings.lmm.model ?? '');
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<ShownError | null>(null);
  const [saved, setSaved] = useState(false);

  const save = (clear: boolean): void => {
    setSaved(false);
    const lmm = clear
      ? { baseUrl: null }
      : { baseUrl: baseUrl.trim() || null, model: model.trim() || null, ...(apiKey ? { apiKey } : {}) };
    client.updateSettings({ lmm }).then(
      (s) => {
        props.onSaved(s);
        setApiKey('');
        setError(null);
        setSaved(true);
        if (clear) {
          setBaseUrl('');
          setModel('');
        }
      },
      (e: unknown) => setError(toShownError(e)),
    );
  };

  return (
    <Section title="Multimodal model (LMM)">
      {status ? (
        <Alert severity={status.state === 'ready' ? 'success' : status.state === 'unreachable' ? 'warning' : 'info'} sx={{ mb: 2 }} aria-label="LMM status">
          {status.state === 'not-configured' ? 'Not configured. ' : status.state === 'unreachable' ? 'Unreachable. ' : 'Ready. '}
          {status.message}
        </Alert>
      ) : null}
      <Stack spacing={2} sx={{ maxWidth: 560 }}>
        <TextField label="LMM endpoint URL" placeholder="http://127.0.0.1:8080/v1" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} helperText="An OpenAI-compatible endpoint" />
        <TextField label="LMM model" value={model} onChange={(e) => setModel(e.target.value)} />
        {status && status.models.length > 0 ? (
          <Box aria-label="Models offered by the endpoint" role="group" sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
            {status.models.map((m) => (
              <Chip key={m} label={m} size="small" onClick={() => setModel(m)} color={m === model ? 'primary' : 'default'} />
            ))}
          </Box>
        ) : null}
        <TextField
          label="LMM API key"
          type="password"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
          helperText={settings.lmm.apiKeySet ? 'A key is stored; type a new one to replace it' : 'Optional'}
          autoComplete="off"
        />
        <Stack direction="row" spacing={1}>
          <Button variant="contained" onClick={() => save(false)} aria-label="Save LMM settings">
            Save
          </Button>
          <Button onClick={() => save(true)} disabled={settings.lmm.baseUrl === null} aria-label="Remove LMM endpoint">
            Remove endpoint
          </Button>
          {saved ? <Typography role="status" sx={{ alignSelf: 'center' }}>Saved</Typography> : null}
        </Stack>
      </Stack>
      <ErrorNotice title="The LMM settings were not saved" error={error} />
    </Section>
  );
}

function GeometrySection(props: {
  settings: StudioSettings;
  project: ProjectDetail | null;
  onSaved: (s: StudioSettings) => void;
  onProjectChanged: () => void;
}): ReactNode {
  const { client } = useStudio();
  const { settings, project } = props;
  const start = project?.geometry ?? settings.geometry;
  const [width, setWidth] = useState(String(start.width));
  const [height, setHeight] = useState(String(start.height));
  const [rate, setRate] = useState(start.fpsDen === 1 ? String(start.fpsNum) : (start.fpsNum / start.fpsDen).toFixed(3));
  const [error, setError] = useState<ShownError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const parse = (): Geometry | null => {
    const w = Number(width);
    const h = Number(height);
    const f = Number(rate);
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 16 || h < 16 || w % 2 || h % 2 || !(f > 0)) return null;
    return Number.isInteger(f) ? { width: w, height: h, fpsNum: f, fpsDen: 1 } : { width: w, height: h, fpsNum: Math.round(f * 1000), fpsDen: 1000 };
  };
  const g = parse();
  const invalid = g === null;

  const saveDefault = (): void => {
    if (!g) return;
    client.updateSettings({ geometry: g }).then(
      (s) => {
        props.onSaved(s);
        setDone('Default for new projects saved');
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  };
  const applyToProject = (): void => {
    if (!g || !project) return;
    client.setProjectGeometry({ projectId: project.project.id, geometry: g }).then(
      () => {
        props.onProjectChanged();
        setDone(`Applied to ${project.project.name}: videos are analysed again at this geometry`);
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  };

  return (
    <Section title="Working geometry">
      <Typography gutterBottom>
        Default for new projects: {formatGeometry(settings.geometry)}
        {project ? ` · ${project.project.name}: ${formatGeometry(project.geometry)}` : ''}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <TextField label="Working width" size="small" value={width} onChange={(e) => setWidth(e.target.value)} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
        <TextField label="Working height" size="small" value={height} onChange={(e) => setHeight(e.target.value)} slotProps={{ htmlInput: { inputMode: 'numeric' } }} />
        <TextField label="Working frame rate" size="small" value={rate} onChange={(e) => setRate(e.target.value)} slotProps={{ htmlInput: { inputMode: 'decimal' } }} />
      </Stack>
      {invalid ? (
        <Typography color="error" variant="body2" sx={{ mt: 1 }}>
          Width and height must be even whole numbers of at least 16 and the frame rate positive.
        </Typography>
      ) : null}
      <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
        <Button variant="outlined" disabled={invalid} onClick={saveDefault} aria-label="Save default geometry">
          Save as default
        </Button>
        {project ? (
          <Button variant="outlined" disabled={invalid} onClick={applyToProject} aria-label="Apply geometry to the open project">
            Apply to {project.project.name}
          </Button>
        ) : null}
      </Stack>
      {done ? <Typography role="status" sx={{ mt: 1 }}>{done}</Typography> : null}
      <ErrorNotice title="The geometry was not saved" error={error} />
    </Section>
  );
}
