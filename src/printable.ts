/**
 * Text from users' files and from other programs, made safe to print on a terminal: control
 * characters and escape sequences (which can move the cursor, rewrite earlier lines or change
 * the window title) are shown as \xNN / \uNNNN instead of being sent raw.
 */

/** C0 controls, DEL and C1 controls. */
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f);
/** Bidirectional overrides and isolates: they reorder what a terminal shows. */
const isBidi = (code: number) => (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);

/** `text` with every control character escaped; tab is kept. */
export function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    if (code !== 0x09 && (isControl(code) || isBidi(code))) {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** The first control character of `text` (tab, and newline when allowed, excepted) as U+NNNN. */
export function firstControl(text: string, allowNewline: boolean): string | undefined {
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    if (code === 0x09 || (allowNewline && code === 0x0a)) continue;
    if (isControl(code)) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}
