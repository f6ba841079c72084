/** A piece of text, and whether a line may break after it. */
export type Piece = { text: string; breakAfter: boolean };

const URL = /(\w+:\/\/[^\s]+)/g;

/**
 * `text` in pieces that let a line break after each `/`, `?` and `&` of the URLs in it, so that
 * a long URL wraps between its parts rather than in the middle of one ("…/connect/tok en").
 */
export function urlPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  for (const part of text.split(URL)) {
    if (part === '') {
      continue;
    }
    if (!/^\w+:\/\//.test(part)) {
      pieces.push({ text: part, breakAfter: false });
      continue;
    }
    // After "scheme://" and after each separator; never inside a word.
    const [, scheme, rest] = /^(\w+:\/\/)(.*)$/.exec(part)!;
    pieces.push({ text: scheme, breakAfter: false });
    for (const segment of rest.split(/(?<=[/?&])/)) {
      pieces.push({ text: segment, breakAfter: /[/?&]$/.test(segment) });
    }
  }
  return pieces;
}
