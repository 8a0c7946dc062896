/** Every keyframe and clip of the selection with where its description stands; clicking one opens it. */
import type { ReactNode } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import type { DialogueItemInfo, DialogueItemState } from '../../../shared/api/contract.ts';
import { itemLabel, STATE_COLORS, STATE_LABELS, type ItemRef } from './labels.ts';

export interface ListedItem extends ItemRef {
  readonly frame: number;
  readonly lastFrame: number;
  readonly state: DialogueItemState;
  readonly reason: string | null;
}

/** The on-screen selection's items, each with the state main reports for the same item (same kind and frame). */
export function listedItems(keyframes: readonly number[], frameCount: number, states: readonly DialogueItemInfo[]): ListedItem[] {
  const out: ListedItem[] = [];
  keyframes.forEach((frame, index) => {
    const lastClipFrame = (keyframes[index + 1] ?? frameCount) - 1;
    for (const kind of ['keyframe', 'clip'] as const) {
      const lastFrame = kind === 'clip' ? lastClipFrame : frame;
      const s = states.find((x) => x.kind === kind && x.frame === frame && x.lastFrame === lastFrame);
      out.push({ kind, index, frame, lastFrame, state: s?.state ?? 'none', reason: s?.reason ?? null });
    }
  });
  return out;
}

export function ItemList(props: { items: readonly ListedItem[]; selected: ItemRef; count: number; onOpen: (item: ListedItem) => void }): ReactNode {
  const { items, selected, count, onOpen } = props;
  const tally = (s: DialogueItemState): number => items.filter((i) => i.state === s).length;
  const summary = (['described', 'edited', 'stale', 'failed', 'running', 'none'] as const)
    .filter((s) => tally(s) > 0)
    .map((s) => `${tally(s)} ${STATE_LABELS[s]}`)
    .join(' · ');
  return (
    <Box component="section" aria-label="Items" sx={{ minWidth: 0 }}>
      <Typography variant="subtitle1" component="h3">
        Items
      </Typography>
      <Typography variant="caption" color="text.secondary" aria-label="Item states">
        {summary}
      </Typography>
      <List dense disablePadding sx={{ maxHeight: 360, overflowY: 'auto', border: 1, borderColor: 'divider', borderRadius: 1, mt: 0.5 }}>
        {items.map((it) => {
          const label = itemLabel(it.kind, it.index, count, it.frame, it.lastFrame);
          const isSelected = it.kind === selected.kind && it.index === selected.index;
          return (
            <ListItemButton
              key={`${it.kind}:${it.index}`}
              selected={isSelected}
              aria-current={isSelected ? 'true' : undefined}
              aria-label={`${label}: ${STATE_LABELS[it.state]}`}
              title={it.reason ?? undefined}
              onClick={() => onOpen(it)}
            >
              <ListItemText primary={label} secondary={it.reason} slotProps={{ secondary: { noWrap: true } }} />
              <Chip size="small" color={STATE_COLORS[it.state]} variant={it.state === 'none' ? 'outlined' : 'filled'} label={STATE_LABELS[it.state]} sx={{ ml: 1 }} />
            </ListItemButton>
          );
        })}
      </List>
    </Box>
  );
}
