import { useCallback, useEffect, useState } from 'react';
import type { EncodeInfo, ProjectDetail } from '../../shared/api/contract.ts';
import { toShownError, type ShownError } from '../components/common.tsx';
import { useStudio, useStudioEvents } from '../context.tsx';

export interface ProjectState {
  readonly detail: ProjectDetail | null;
  readonly encodes: readonly EncodeInfo[];
  readonly loading: boolean;
  readonly error: ShownError | null;
  readonly encodesError: ShownError | null;
  readonly reload: () => void;
}

/** The open project, its sources and its encode library, kept current from main's events. */
export function useProject(projectId: number | null): ProjectState {
  const { client } = useStudio();
  const [detail, setDetail] = useState<ProjectDetail | null>(null);
  const [encodes, setEncodes] = useState<readonly EncodeInfo[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [encodesError, setEncodesError] = useState<ShownError | null>(null);

  const loadDetail = useCallback(() => {
    if (projectId === null) return;
    setLoading(true);
    client.openProject({ projectId }).then(
      (d) => {
        setDetail(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(toShownError(e));
        setLoading(false);
      },
    );
  }, [client, projectId]);

  const loadEncodes = useCallback(() => {
    if (projectId === null) return;
    client.listEncodes({ projectId }).then(
      (list) => {
        setEncodes([...list].sort((a, b) => b.startedAt - a.startedAt));
        setEncodesError(null);
      },
      (e: unknown) => setEncodesError(toShownError(e)),
    );
  }, [client, projectId]);

  const reload = useCallback(() => {
    loadDetail();
    loadEncodes();
  }, [loadDetail, loadEncodes]);

  useEffect(() => {
    setDetail(null);
    setEncodes([]);
    setError(null);
    reload();
  }, [reload]);

  useStudioEvents((e) => {
    if (projectId === null) return;
    if (e.type === 'analysis-ready') loadDetail();
    else if (e.type === 'encodes-changed' && e.projectId === projectId) loadEncodes();
    else if (e.type === 'job-finished' && e.job.projectId === projectId) {
      if (e.job.kind === 'analysis') loadDetail();
      if (e.job.kind === 'encode' || e.job.kind === 'decode') loadEncodes();
    }
  });

  return { detail, encodes, loading, error, encodesError, reload };
}
