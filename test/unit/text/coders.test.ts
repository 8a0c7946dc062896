import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_TEXT_BYTES,
  TEXT_CODER_IDS,
  cmDecode,
  cmEncode,
  decodeText,
  encodeText,
  lzwDecode,
  lzwEncode,
  textCoderOf,
  utf8Decode,
  utf8Encode,
} from '../../../src/shared/text/index.ts';
import { CM_PRIOR_TEXT } from '../../../src/shared/text/cm-prior.ts';
import { Prng } from '../entropy/prng.ts';

interface CorpusItem {
  id: string;
  kind: 'keyframe' | 'clip';
  text: string;
}

const corpus = (
  JSON.parse(readFileSync(new URL('../../fixtures/descriptions/corpus.json', import.meta.url), 'utf8')) as { items: CorpusItem[] }
).items;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const ODD_STRINGS = [
  'a',
  'Café crème, naïve façade, Ångström, Straße, Ελληνικά, 日本語のテキスト',
  'Emoji: 🎥📹🐕‍🦺 👩🏽‍🍳 and flags 🇫🇷🇯🇵',
  'lone surrogates \ud800 and \udfff and reversed \udc00\ud800 end',
  Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(''),
  String.fromCodePoint(0x10ffff, 0xfffd, 0xfeff, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000),
  '\u0000\u0000\u0000',
];

describe('utf8', () => {
  it('matches the platform encoder on well-formed text and round-trips odd strings exactly', () => {
    const encoder = new TextEncoder();
    for (const s of ODD_STRINGS.filter((x) => !x.includes('lone'))) expect(utf8Encode(s)).toEqual(encoder.encode(s));
    for (const s of ODD_STRINGS) expect(utf8Decode(utf8Encode(s))).toBe(s);
  });

  it('rejects malformed sequences', () => {
    for (const bad of [[0x80], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x8e], [0xc3, 0x41]]) {
      expect(utf8Decode(new Uint8Array(bad))).toBeNull();
    }
  });
});

describe('LZW', () => {
  it('round-trips random and repetitive byte strings across dictionary resets', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Prng(seed);
      const n = rng.int(seed % 5 === 0 ? 12000 : 800);
      const alphabet = 1 + rng.int(256);
      const data = new Uint8Array(n).map(() => rng.int(alphabet));
      for (const maxBits of [9, 12, 16]) {
        const r = lzwDecode(lzwEncode(data, maxBits), 1 << 20, maxBits);
        expect(r.ok && sameBytes(r.bytes, data), `seed ${seed} maxBits ${maxBits}`).toBe(true);
      }
    }
  });

  it('handles the KwKwK case and empty input', () => {
    const data = new Uint8Array(5000).fill(97);
    expect(lzwDecode(lzwEncode(data, 9), 1 << 20, 9)).toEqual({ ok: true, bytes: data });
    expect(lzwEncode(new Uint8Array(0)).length).toBe(0);
    expect(lzwDecode(new Uint8Array(0), 10)).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });

  it('packs 9-bit codes MSB-first as the paper describes', () => {
    // "ab": code 97 then 98, 9 bits each, then 6 zero bits of padding.
    expect(Array.from(lzwEncode(new Uint8Array([97, 98])))).toEqual([0b00110000, 0b10011000, 0b10000000]);
  });

  it('refuses undefined codes, trailing garbage and output above the cap', () => {
    expect(lzwDecode(new Uint8Array([0xff, 0x80]), 100).ok).toBe(false);
    const good = lzwEncode(utf8Encode(corpus[0].text));
    const padded = new Uint8Array(good.length + 3).fill(0xff);
    padded.set(good);
    expect(lzwDecode(padded, 1000).ok).toBe(false);
    expect(lzwDecode(good, 10).ok).toBe(false);
  });
});

describe('context-mixing coder', () => {
  it('round-trips random bytes, odd strings and a long text, independent of what was coded before', () => {
    const rng = new Prng(77);
    const inputs = [
      new Uint8Array(0),
      rng.bytes(1),
      rng.bytes(300),
      ...ODD_STRINGS.map(utf8Encode),
      utf8Encode(corpus.map((c) => c.text).join(' ')),
    ];
    const first = cmEncode(inputs[2]);
    for (const data of inputs) {
      const r = cmDecode(cmEncode(data), MAX_TEXT_BYTES);
      expect(r.ok && sameBytes(r.bytes, data), `input of ${data.length} bytes`).toBe(true);
    }
    // The primed state is restored after every text, so the same input codes the same way again.
    expect(cmEncode(inputs[2])).toEqual(first);
  });

  it('produces the same bytes as when the format was fixed (prior, hashing and integer model pinned)', () => {
    const coded = cmEncode(utf8Encode(corpus[0].text));
    let h = 0x811c9dc5;
    for (const b of coded) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect({ length: coded.length, fnv: h }).toEqual({ length: 113, fnv: 2830875674 });
  });

  it('refuses declared lengths above the cap, truncation and trailing bytes', () => {
    const coded = cmEncode(utf8Encode(corpus[1].text));
    expect(cmDecode(coded, 10).ok).toBe(false);
    expect(cmDecode(coded.subarray(0, coded.length - 8), MAX_TEXT_BYTES).ok).toBe(false);
    const padded = new Uint8Array(coded.length + 6);
    padded.set(coded);
    expect(cmDecode(padded, MAX_TEXT_BYTES).ok).toBe(false);
  });
});

describe('text container', () => {
  it('round-trips empty, unicode, long and odd strings', () => {
    expect(encodeText('').length).toBe(0);
    expect(decodeText(new Uint8Array(0))).toEqual({ ok: true, text: '' });
    const long = corpus.map((c) => c.text).join('\n');
    for (const s of [...ODD_STRINGS, long, 'x', '  ', corpus[3].text]) {
      expect(decodeText(encodeText(s))).toEqual({ ok: true, text: s });
    }
  });

  it('names the coder it used and picks the smallest', () => {
    expect(textCoderOf(encodeText('a'))).toBe('raw');
    expect(textCoderOf(encodeText(corpus[5].text))).toBe('cm');
    expect(textCoderOf(new Uint8Array(0))).toBe('empty');
    expect(textCoderOf(new Uint8Array([9]))).toBeNull();
    const s = corpus[7].text;
    const sizes = [1 + utf8Encode(s).length, 1 + lzwEncode(utf8Encode(s)).length, 1 + cmEncode(utf8Encode(s)).length];
    expect(encodeText(s).length).toBe(Math.min(...sizes));
    expect(TEXT_CODER_IDS).toEqual({ raw: 0, lzw: 1, cm: 2 });
  });

  it('rejects text above the size limit when encoding', () => {
    expect(() => encodeText('é'.repeat(MAX_TEXT_BYTES))).toThrow(RangeError);
  });

  it('never throws on random bytes, truncations and bit flips, and validates what it returns', () => {
    const rng = new Prng(5);
    const goods = corpus.slice(0, 10).map((c) => encodeText(c.text));
    let errors = 0;
    let total = 0;
    for (let i = 0; i < 300; i++) {
      let bad: Uint8Array;
      const g = goods[i % goods.length];
      if (i % 3 === 0) bad = rng.bytes(rng.int(400));
      else if (i % 3 === 1) bad = g.subarray(0, rng.int(g.length));
      else {
        bad = g.slice();
        bad[rng.int(bad.length)] ^= 1 << rng.int(8);
      }
      const r = decodeText(bad);
      total++;
      if (!r.ok) {
        errors++;
        expect(r.message.length).toBeGreaterThan(0);
      } else {
        expect(utf8Encode(r.text).length).toBeLessThanOrEqual(MAX_TEXT_BYTES);
      }
    }
    expect(errors).toBeGreaterThan(total * 0.5);
    expect(decodeText(new Uint8Array([0, 0xff])).ok).toBe(false);
    expect(decodeText(new Uint8Array([7, 1, 2])).ok).toBe(false);
  });
});

describe('compression on the description corpus', () => {
  it('has at least 50 descriptions of 150-600 characters, none of them in the coder prior', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    for (const c of corpus) {
      expect(c.text.length).toBeGreaterThanOrEqual(150);
      expect(c.text.length).toBeLessThanOrEqual(600);
      for (const sentence of c.text.split(/(?<=\.)\s+/)) expect(CM_PRIOR_TEXT.includes(sentence)).toBe(false);
    }
  });

  it('needs at least 30% fewer bits with the context-mixing coder than with LZW', () => {
    let chars = 0;
    let lzwBits = 0;
    let cmBits = 0;
    let containerBits = 0;
    for (const c of corpus) {
      const bytes = utf8Encode(c.text);
      chars += c.text.length;
      lzwBits += lzwEncode(bytes).length * 8;
      cmBits += cmEncode(bytes).length * 8;
      containerBits += encodeText(c.text).length * 8;
    }
    const f = (x: number): string => (x / chars).toFixed(3);
    console.log(
      `description corpus (${corpus.length} texts, ${chars} chars, coded one by one): raw 8.000 bpc, ` +
        `LZW ${f(lzwBits)} bpc, context mixing ${f(cmBits)} bpc, container ${f(containerBits)} bpc ` +
        `(saving vs LZW ${((1 - cmBits / lzwBits) * 100).toFixed(1)}%)`,
    );
    expect(cmBits).toBeLessThanOrEqual(lzwBits * 0.7);
    expect(containerBits).toBeLessThanOrEqual(cmBits + corpus.length * 8);
  });
});
