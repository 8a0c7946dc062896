/** Projects: create, rename, delete (after their jobs settle), open, and the working geometry. */
import { mkdir, rm } from 'node:fs/promises';
import type { ProjectDetail, ProjectSummary } from '../../../shared/api/contract.ts';
import type { ProjectRecord } from '../../store/index.ts';
import * as v from '../validate.ts';
import type { ProjectSettings, StudioContext } from './context.ts';

const MAX_NAME = 200;

export class ProjectsApi {
  constructor(private readonly ctx: StudioContext) {}

  private summary(p: ProjectRecord): ProjectSummary {
    const { store } = this.ctx;
    return {
      id: p.id,
      name: p.name,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      sourceCount: store.listSources(p.id).length,
      encodeCount: store.listEncodes({ projectId: p.id }).length,
    };
  }

  async listProjects(): Promise<ProjectSummary[]> {
    return this.ctx.store.listProjects().map((p) => this.summary(p));
  }

  async createProject(p: Record<string, unknown>): Promise<ProjectSummary> {
    const name = v.text(p, 'name', MAX_NAME, { nonEmpty: true }).trim();
    const project = this.ctx.store.createProject(name, { geometry: this.ctx.settings.geometry } satisfies ProjectSettings);
    await mkdir(this.ctx.layout.projectDir(project.id), { recursive: true });
    return this.summary(project);
  }

  async renameProject(p: Record<string, unknown>): Promise<ProjectSummary> {
    const projectId = v.id(p, 'projectId');
    this.ctx.requireProject(projectId);
    return this.summary(this.ctx.store.renameProject(projectId, v.text(p, 'name', MAX_NAME, { nonEmpty: true }).trim()));
  }

  async deleteProject(p: Record<string, unknown>): Promise<{ deleted: boolean }> {
    const projectId = v.id(p, 'projectId');
    const { jobs } = this.ctx;
    // Cancelled workers may still be writing into the folder: wait until every job of the project has
    // settled (and every preview being made there is finished) before removing it.
    const settleJobs = async (): Promise<void> => {
      const live = jobs.list().filter((j) => j.projectId === projectId && (j.state === 'queued' || j.state === 'running'));
      for (const j of live) jobs.cancel(j.id);
      await Promise.all(live.map((j) => jobs.whenSettled(j.id)));
    };
    await settleJobs();
    const deleted = this.ctx.store.deleteProject(projectId);
    // A job enqueued while the first ones settled (the project still existed then).
    await settleJobs();
    await this.ctx.once.settleUnder(this.ctx.layout.projectDir(projectId));
    if (deleted) await rm(this.ctx.layout.projectDir(projectId), { recursive: true, force: true });
    return { deleted };
  }

  async openProject(p: Record<string, unknown>): Promise<ProjectDetail> {
    const projectId = v.id(p, 'projectId');
    const project = this.ctx.requireProject(projectId);
    return {
      project: this.summary(project),
      sources: this.ctx.store.listSources(projectId).map((s) => this.ctx.sourceInfo(s)),
      geometry: this.ctx.geometryOf(projectId),
    };
  }

  async setProjectGeometry(p: Record<string, unknown>): Promise<ProjectDetail> {
    const projectId = v.id(p, 'projectId');
    const project = this.ctx.requireProject(projectId);
    this.ctx.store.updateProjectSettings(projectId, { ...this.ctx.projectSettings(project), geometry: v.geometry(p.geometry) });
    return this.openProject({ projectId });
  }
}
