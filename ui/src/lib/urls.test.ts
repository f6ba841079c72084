import { describe, expect, it } from 'vitest';
import { urlPieces } from './urls';

describe('urlPieces', () => {
  it('lets a URL break after its separators only, and leaves the words around it whole', () => {
    const pieces = urlPieces('Asked https://id.example.com/connect/token?x=1&y=2 and got 401.');
    expect(pieces.map((p) => p.text).join('')).toBe('Asked https://id.example.com/connect/token?x=1&y=2 and got 401.');
    const breaks = pieces.filter((p) => p.breakAfter).map((p) => p.text);
    expect(breaks).toEqual(['id.example.com/', 'connect/', 'token?', 'x=1&']);
    expect(pieces[0]).toEqual({ text: 'Asked ', breakAfter: false });
  });

  it('leaves text without a URL as it is', () => {
    expect(urlPieces('Discovery passed.')).toEqual([{ text: 'Discovery passed.', breakAfter: false }]);
  });
});
