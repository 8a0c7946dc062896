import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS, openStore } from '../../../src/main/store/index.ts';
import { LmmStore } from '../../../src/main/store/lmm.ts';
import type { TranscriptStart } from '../../../src/main/lmm/records.ts';
import { REPO_ROOT } from '../../helpers/media.ts';

const DIED = 'the process running this dialogue ended before it finished';
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-transcripts-'));
  file = path.join(dir, 'project.m3cdb');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function start(sourceId: number | null, itemIndex: number): TranscriptStart {
  return {
    projectId: null,
    sourceId,
    itemKind: 'clip',
    itemIndex,
    frameIndex: itemIndex * 8,
    model: 'm',
    promptVersion: 'v1',
    settings: {},
    startedAt: Date.now(),
  };
}

describe('transcripts left running', () => {
  it('ends the transcript of a SIGKILLed process as failed and keeps its rounds', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'transcript-crash-child.ts'), file],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const ids = JSON.parse(child.stdout.trim()) as { sourceId: number; transcriptId: number; pid: number };
    // Checked before any reopen, with a plain connection: the child did record itself as the owner.
    const before = new Database(file, { readonly: true });
    expect(before.prepare('SELECT status, owner_pid FROM lmm_transcripts WHERE id = ?').get(ids.transcriptId)).toEqual({
      status: 'running',
      owner_pid: ids.pid,
    });
    before.close();

    const store = openStore(file);
    const lmm = new LmmStore(store);
    try {
      const [t] = lmm.listTranscripts({ sourceId: ids.sourceId });
      expect(t).toMatchObject({ id: ids.transcriptId, status: 'failed', error: DIED, description: null, durationMs: null });
      expect(t.rounds.map((r) => [r.roundNumber, r.status, r.answer])).toEqual([
        [1, 'ok', 'a red bicycle'],
        [2, 'failed', null],
      ]);
      expect(() => lmm.finishTranscript(ids.transcriptId, { status: 'done', durationMs: 1, description: 'x', descriptionBits: 8, error: null })).toThrow(
        `transcript ${ids.transcriptId} is not running`,
      );
      expect(store.recoverInterrupted()).toBe(0);
    } finally {
      lmm.close();
      store.close();
    }
  });

  it('leaves dialogues of live processes running and ends those from before the last boot', () => {
    const a = openStore(file);
    const lmmA = new LmmStore(a);
    const live = lmmA.beginTranscript(start(null, 0));
    const stale = lmmA.beginTranscript(start(null, 1));
    const db = new Database(file);
    db.prepare('UPDATE lmm_transcripts SET started_at = 0 WHERE id = ?').run(stale);
    db.close();

    const b = openStore(file);
    const lmmB = new LmmStore(b);
    expect(lmmB.listTranscripts().map((t) => [t.id, t.status])).toEqual([
      [live, 'running'],
      [stale, 'failed'],
    ]);
    lmmB.close();
    b.close();
    lmmA.finishTranscript(live, { status: 'done', durationMs: 3, description: 'a cat', descriptionBits: 40, error: null });
    expect(lmmA.listTranscripts()[0].status).toBe('done');
    lmmA.close();
    a.close();
  });

  it('treats a transcript running before migration 003 as having a dead owner', () => {
    const old = openStore(file, { migrations: MIGRATIONS.slice(0, 2) });
    expect(old.schemaVersion).toBe(2);
    old.close();
    // A schema-2 program wrote this row: no owner column, and this very process is alive.
    const db = new Database(file);
    db.prepare(
      `INSERT INTO lmm_transcripts (item_kind, item_index, frame_index, model, prompt_version, settings_json, status, started_at)
       VALUES ('keyframe', 0, 0, 'm', 'v1', '{}', 'running', ?)`,
    ).run(Date.now());
    db.close();

    const store = openStore(file);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    const lmm = new LmmStore(store);
    expect(lmm.listTranscripts()).toMatchObject([{ status: 'failed', error: DIED }]);
    lmm.close();
    store.close();
  });
});
