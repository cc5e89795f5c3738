/** Escapes text for use in SVG (XML) content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

/** Maps a value range onto a pixel range. */
export type Scale = (value: number) => number;

/** A linear scale from [d0, d1] onto [r0, r1]. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** A base-10 logarithmic scale from [d0, d1] (both > 0) onto [r0, r1]; values are clamped to the domain. */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (v) => {
    const clamped = Math.min(d1, Math.max(d0, v));
    return r0 + ((Math.log10(clamped) - l0) / span) * (r1 - r0);
  };
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const value = typeof v === 'number' ? num(v) : escapeXml(String(v));
      return ` ${k}="${value}"`;
    })
    .join('');
}

/** Numbers with at most two decimals; a non-finite number is a bug in the caller. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`SVG coordinate is not a number: ${v}`);
  return String(Math.round(v * 100) / 100);
}

/** A minimal SVG document builder: shapes and text, nothing else. */
export class Svg {
  private readonly parts: string[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  rect(x: number, y: number, w: number, h: number, a: Attrs = {}): this {
    this.parts.push(`<rect${attrs({ x, y, width: Math.max(0, w), height: Math.max(0, h), ...a })}/>`);
    return this;
  }

  line(x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): this {
    this.parts.push(`<line${attrs({ x1, y1, x2, y2, ...a })}/>`);
    return this;
  }

  circle(cx: number, cy: number, r: number, a: Attrs = {}): this {
    this.parts.push(`<circle${attrs({ cx, cy, r, ...a })}/>`);
    return this;
  }

  text(x: number, y: number, content: string, a: Attrs = {}): this {
    this.parts.push(`<text${attrs({ x, y, ...a })}>${escapeXml(content)}</text>`);
    return this;
  }

  /** A tooltip-free title for the whole document (screen readers, file browsers). */
  title(content: string): this {
    this.parts.unshift(`<title>${escapeXml(content)}</title>`);
    return this;
  }

  toString(): string {
    const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`;
    return `${head}\n${this.parts.join('\n')}\n</svg>\n`;
  }
}
