/**
 * A small XML writer for AWS Query responses. Values map to elements:
 * objects become nested elements in key order, arrays become a wrapper whose
 * children are all named `listItem` (`item` for EC2, `member` for SNS),
 * `undefined`/`null` are left out, and Dates are written as ISO-8601.
 */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlObject | XmlValue[];

/** An element's children, by element name. */
export interface XmlObject {
  [name: string]: XmlValue;
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function writeValue(name: string, value: XmlValue, listItem: string, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of value) writeValue(listItem, item, listItem, out);
    out.push(`</${name}>`);
    return;
  }
  if (value instanceof Date) {
    out.push(`<${name}>${value.toISOString()}</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [child, childValue] of Object.entries(value)) writeValue(child, childValue, listItem, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** Options for {@link toXmlDocument}. */
export interface XmlDocumentOptions {
  /** Default namespace put on the root element. */
  readonly xmlns?: string;
  /** Element name for list members. */
  readonly listItem: string;
}

/** Serializes a whole document: declaration, root element (with xmlns) and body. */
export function toXmlDocument(root: string, body: XmlObject, options: XmlDocumentOptions): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  out.push(options.xmlns ? `<${root} xmlns="${escapeXml(options.xmlns)}">` : `<${root}>`);
  for (const [name, value] of Object.entries(body)) writeValue(name, value, options.listItem, out);
  out.push(`</${root}>`);
  return out.join('');
}
