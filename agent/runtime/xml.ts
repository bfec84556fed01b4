/**
 * @module
 * Just enough XML to write libvirt domains: elements built as values and
 * rendered with every attribute and text escaped, so no user string (a
 * VMI name, kernel arguments, a path) can change the document's structure.
 */

/** An element: name, attributes (undefined ones are left out), children. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | number | undefined>;
  children: (XmlElement | string)[];
}

/** Escapes text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** Builds an element; `false`/`undefined` children are dropped, so optional parts read inline. */
export function el(name: string, attrs: XmlElement["attrs"] = {}, ...children: (XmlElement | string | false | undefined)[]): XmlElement {
  return { name, attrs, children: children.filter((c): c is XmlElement | string => c !== false && c !== undefined) };
}

/** Renders `node` indented by two spaces per level, text-only elements on one line. */
export function renderXml(node: XmlElement, depth = 0): string {
  const pad = "  ".repeat(depth);
  const attrs = Object.entries(node.attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join("");
  if (node.children.length === 0) return `${pad}<${node.name}${attrs}/>\n`;
  if (node.children.every((c) => typeof c === "string")) {
    return `${pad}<${node.name}${attrs}>${node.children.map((c) => escapeXml(c as string)).join("")}</${node.name}>\n`;
  }
  const inner = node.children.map((c) => (typeof c === "string" ? `${pad}  ${escapeXml(c)}\n` : renderXml(c, depth + 1))).join("");
  return `${pad}<${node.name}${attrs}>\n${inner}${pad}</${node.name}>\n`;
}
