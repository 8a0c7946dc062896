/** The prompt templates of the project, or of one item, with the variables they may use (written {{name}}). */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { ItemKind, PromptsInfo } from '../../../shared/api/contract.ts';
import { useStudio } from '../../context.tsx';
import { ErrorNotice, toShownError, type ShownError } from '../common.tsx';

export function PromptEditor(props: { projectId: number; item: { kind: ItemKind; index: number }; itemLabel: string }): ReactNode {
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
                helperText={`${stored === null ? (scope === 'item' ? 'inherits the project template' : 'default') : 'overridden'} · variables: ${t.variables.map((v) => `{{${v}}}`).join(', ') || 'none'}`}
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
