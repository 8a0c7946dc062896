/** The `.m3c` container: layout in docs/bitstream.md. */
export * from './types.ts';
export { crc32 } from './crc32.ts';
export { writeM3c } from './write.ts';
export { parseM3c, describeSections, layoutTotals } from './parse.ts';
export { parseErrorToM3cError } from './errors.ts';
export { frameRateProblem, limitsProblem } from './validate.ts';
export { quantiseRegion, roiSpecOf } from './roi.ts';
