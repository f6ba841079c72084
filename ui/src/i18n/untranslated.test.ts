// Every word the window shows comes from the message catalogs: this test reads the source of each
// component and module and names any text written in English in place.
import { parse } from 'svelte/compiler';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The source of every component and module the window runs, by its path under src/. */
const SOURCES: Record<string, string> = import.meta.glob(
  ['../**/*.svelte', '../**/*.ts', '!../**/*.test.ts', '!../paraglide/**', '!../testing/**', '!../ipc/bindings.ts'],
  { eager: true, query: '?raw', import: 'default' },
);

/** Attributes whose value is never shown: names, kinds, wiring. */
const CODE_ATTRIBUTES = new Set([
  'autocomplete', 'class', 'data-testid', 'dir', 'for', 'form', 'href', 'id', 'inputmode', 'lang', 'method',
  'name', 'pattern', 'rel', 'role', 'spellcheck', 'src', 'step', 'tabindex', 'target', 'testid', 'type', 'value',
  'variant', 'kind', 'tone', 'size', 'align', 'wrap', 'min', 'max', 'aria-live', 'aria-haspopup', 'aria-current',
  'aria-sort', 'aria-autocomplete', 'viewBox', 'fill', 'stroke', 'd', 'xmlns', 'enterkeyhint',
]);

/** Strings that look like words but name keys, events or platform values. */
const CODE_WORDS = new Set([
  'ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Enter', 'Escape', 'Tab', 'Home', 'End', 'PageUp', 'PageDown',
  'Backspace', 'Delete', 'Meta', 'Control', 'Shift', 'Alt',
  // Commands of Registrar's command line, named as they are typed.
  'registrar audit verify', 'registrar apply', 'apply --prune',
  // A file format's own name, the same in every language (the handoff sheet's formats).
  'Markdown',
]);

/** Whether a piece of text reads as words a person would see. */
function isProse(text: string): boolean {
  const trimmed = text.trim();
  if (!/[A-Za-z]{2}/.test(trimmed) || CODE_WORDS.has(trimmed)) {
    return false;
  }
  return /[A-Za-z]\s+[A-Za-z(]/.test(trimmed) || /^[A-Z][a-z]/.test(trimmed) || /[.…?!:]$/.test(trimmed);
}

interface Node {
  type?: string;
  [key: string]: unknown;
}

/** Whether `node` builds a developer's error (`new Error(...)`), which the window never shows as such. */
function isErrorConstruction(node: Node): boolean {
  const callee = node.callee as Node | undefined;
  return node.type === 'NewExpression' && callee?.type === 'Identifier' && /Error$/.test(String(callee.name));
}

/** The English text in a Svelte component: text nodes, shown attributes and string literals. */
function svelteFindings(source: string): string[] {
  const ast = parse(source, { modern: true }) as unknown as Node;
  const found: string[] = [];
  const walk = (node: unknown, element?: string): void => {
    if (Array.isArray(node)) {
      node.forEach((child) => walk(child, element));
      return;
    }
    if (typeof node !== 'object' || node === null) {
      return;
    }
    const n = node as Node;
    if (n.type === 'ImportDeclaration' || isErrorConstruction(n) || n.type === 'StyleSheet') {
      return;
    }
    if (n.type === 'Attribute') {
      const name = String(n.name);
      const parts = Array.isArray(n.value) ? (n.value as Node[]) : [n.value as Node];
      // A shown attribute's text is read; every attribute's code (an event handler's too).
      const shown = !(CODE_ATTRIBUTES.has(name) || name.startsWith('data-') || name.startsWith('on') || name.startsWith('aria-')
        && !['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext'].includes(name));
      if (shown) {
        found.push(...parts.filter((part) => part.type === 'Text' && isProse(String(part.data))).map((part) => String(part.data)));
      }
      walk(parts.filter((part) => part.type !== 'Text'), element);
      return;
    }
    // An element marked with its own language, written out (a language's name in a list of
    // languages), is written in that language on purpose.
    const marked = (attribute: Node) =>
      attribute.name === 'lang' && Array.isArray(attribute.value) && (attribute.value as Node[]).every((v) => v.type === 'Text');
    if (n.type === 'RegularElement' && (n.attributes as Node[]).some(marked)) {
      return;
    }
    if (n.type === 'Text' && /[A-Za-z]{2}/.test(String(n.data))) {
      found.push(String(n.data).trim());
    }
    if (n.type === 'Literal' && typeof n.value === 'string' && isProse(n.value)) {
      found.push(n.value);
    }
    if (n.type === 'TemplateElement') {
      const cooked = (n.value as { cooked?: string }).cooked ?? '';
      if (isProse(cooked)) {
        found.push(cooked);
      }
    }
    const name = typeof n.name === 'string' ? n.name : element;
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'parent' && key !== 'metadata' && key !== 'css') {
        walk(value, name);
      }
    }
  };
  walk(ast);
  return found;
}

/** The English text in a TypeScript module: string and template literals. */
function typescriptFindings(source: string): string[] {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      return;
    }
    if (ts.isNewExpression(node) && /Error$/.test(node.expression.getText())) {
      return;
    }
    if (ts.isLiteralTypeNode(node)) {
      return;
    }
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) &&
      isProse(node.text)
    ) {
      found.push(node.text);
    }
    ts.forEachChild(node, walk);
  };
  walk(file);
  return found;
}

describe('the window', () => {
  it('reads every source', () => {
    expect(Object.keys(SOURCES).length).toBeGreaterThan(60);
  });

  it.each(Object.entries(SOURCES).map(([path, source]) => [path.startsWith('./') ? `i18n/${path.slice(2)}` : path.slice(3), source]))(
    'shows no English written in %s',
    (path, source) => {
      const found = path.endsWith('.svelte') ? svelteFindings(source) : typescriptFindings(source);
      expect(found).toEqual([]);
    },
  );
});
