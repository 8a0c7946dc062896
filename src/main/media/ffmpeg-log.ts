/**
 * Picks the line of ffmpeg's error output that tells a user what went wrong. ffmpeg follows the
 * real cause with generic consequences ("Conversion failed!", "Error reinitializing filters!"),
 * and prefixes lines with the component and its address ("[libx264 @ 0x55...] "), which only
 * adds noise to a one-line message.
 */
const GENERIC = [
  /^Conversion failed!?$/i,
  /^Error opening (input|output) files?/i,
  /^Error reinitializing filters!?$/i,
  /^Failed to inject frame into filter network/i,
  /^Error while (processing|filtering|decoding|opening encoder|encoding)/i,
  /^Error initializing output stream/i,
  /^Error (initializing|configuring) (complex )?filters?/i,
  /^Exiting normally/i,
  /^Finishing stream/i,
];

export function stripComponentPrefix(line: string): string {
  return line.replace(/^(\[[^\]]*@\s*0x[0-9a-f]+\]\s*)+/i, '').trim();
}

export function relevantErrorLine(lines: readonly string[]): string | undefined {
  const cleaned = lines.map(stripComponentPrefix).filter((l) => l.length > 0);
  for (let i = cleaned.length - 1; i >= 0; i--) {
    if (!GENERIC.some((re) => re.test(cleaned[i]))) return cleaned[i];
  }
  return cleaned.at(-1);
}
