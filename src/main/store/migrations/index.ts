import type { Migration } from './migration.ts';
import core from './001-core.ts';
import lmm from './002-lmm.ts';
import lmmOwner from './003-lmm-owner.ts';
import decodes from './004-decodes.ts';
import descriptionsSpan from './005-descriptions-span.ts';
import sourceFit from './006-source-fit.ts';
import anchorEnvelopes from './007-anchor-envelopes.ts';
import regions from './008-regions.ts';

export type { Migration } from './migration.ts';

/** Every schema step in order; adding one is a new numbered file and one line here. */
export const MIGRATIONS: readonly Migration[] = [core, lmm, lmmOwner, decodes, descriptionsSpan, sourceFit, anchorEnvelopes, regions];
