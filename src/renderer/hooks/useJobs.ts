import { useCallback, useEffect, useState } from 'react';
import type { JobInfo } from '../../shared/api/contract.ts';
import { toShownError, type ShownError } from '../components/common.tsx';
import { useStudio, useStudioEvents } from '../context.tsx';

export interface JobsState {
  /** Newest first. */
  readonly jobs: readonly JobInfo[];
  readonly error: ShownError | null;
  readonly refresh: () => void;
  /** Records a job a call just returned, before its first event arrives. */
  readonly upsert: (job: JobInfo) => void;
}

function merge(list: readonly JobInfo[], job: JobInfo): JobInfo[] {
  const others = list.filter((j) => j.id !== job.id);
  return [job, ...others].sort((a, b) => b.createdAt - a.createdAt);
}

export function useJobs(): JobsState {
  const { client } = useStudio();
  const [jobs, setJobs] = useState<readonly JobInfo[]>([]);
  const [error, setError] = useState<ShownError | null>(null);

  const refresh = useCallback(() => {
    client.listJobs({}).then(
      (list) => {
        setJobs([...list].sort((a, b) => b.createdAt - a.createdAt));
        setError(null);
      },
      (e: unknown) => setError(toShownError(e)),
    );
  }, [client]);

  useEffect(refresh, [refresh]);

  useStudioEvents((e) => {
    if (e.type === 'job-progress' || e.type === 'job-finished') setJobs((list) => merge(list, e.job));
    // Main forgot these finished jobs (clearFinishedJobs, from this window or another).
    else if (e.type === 'jobs-cleared') setJobs((list) => list.filter((j) => !e.jobIds.includes(j.id)));
  });

  const upsert = useCallback((job: JobInfo) => setJobs((list) => merge(list, job)), []);
  return { jobs, error, refresh, upsert };
}

export function isActive(job: JobInfo): boolean {
  return job.state === 'queued' || job.state === 'running';
}
