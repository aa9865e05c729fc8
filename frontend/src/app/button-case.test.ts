import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Buttons and links speak in sentence case ("Create key", not "Create Key"), as the design card asks: every word
 * after the first is lower case unless it is a name or an abbreviation below. Read from the source (every literal
 * text a button or link shows), so a page that no test opens is checked too.
 */
const NAMES = new Set([
  'API',
  'APIs',
  'CSV',
  'ID',
  'IP',
  'IdP',
  'JSON',
  'Keysmith',
  'OAuth',
  'OpenID',
  'SSO',
  'TOTP',
  'URL',
  // the profile menu's entry keeps the seeds' product name (BambooHR's "API Keys" page)
  'Keys',
]);
const TAGS = new Set(['button', 'Button', 'Link', 'NavLink', 'LinkButton', 'SubmitButton']);
const src = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.tsx') && !e.name.includes('.test.') ? [path] : [];
  });
}

/** Literal texts shown inside an element: its JSX text and the strings of expressions such as `busy ? 'A' : 'B'`. */
function texts(node: ts.Node, out: string[] = []): string[] {
  if (ts.isJsxText(node)) out.push(node.text);
  else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    if (!ts.isJsxAttribute(node.parent) && !ts.isCallExpression(node.parent)) out.push(node.text);
  }
  if (ts.isJsxAttributes(node)) return out; // classNames, aria attributes, handlers: not the button's words
  if (ts.isJsxElement(node)) {
    node.children.forEach((c) => texts(c, out));
    return out;
  }
  ts.forEachChild(node, (c) => {
    texts(c, out);
  });
  return out;
}

/** The words after the first that start upper case and are not a name. */
function titleCased(text: string): string[] {
  const words = text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''))
    .filter((w) => w.length > 0);
  return words.slice(1).filter((w) => /^\p{Lu}/u.test(w) && !NAMES.has(w));
}

function offenders(): string[] {
  const found: string[] = [];
  for (const file of sources(src)) {
    const tree = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const visit = (node: ts.Node) => {
      if (ts.isJsxElement(node) && TAGS.has(node.openingElement.tagName.getText())) {
        for (const text of node.children.flatMap((c) => texts(c))) {
          for (const word of titleCased(text)) found.push(`${relative(src, file)}: "${text.trim()}" (${word})`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
  }
  return found;
}

describe('button and link labels', () => {
  it('are in sentence case (names and abbreviations aside)', () => {
    expect(sources(src).length, 'the pages were found').toBeGreaterThan(50);
    expect(offenders()).toEqual([]);
  });

  it('would catch a title-case label (the check itself)', () => {
    const tree = ts.createSourceFile(
      'x.tsx',
      'const x = <button onClick={f}>{busy ? "Saving" : "Save Changes"}</button>;',
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TSX,
    );
    const button = tree.statements[0] as ts.VariableStatement;
    const element = button.declarationList.declarations[0]!.initializer as ts.JsxElement;
    const shown = element.children.flatMap((c) => texts(c));
    expect(shown).toEqual(['Saving', 'Save Changes']);
    expect(shown.flatMap(titleCased)).toEqual(['Changes']);
    expect(titleCased('+ Add IP range')).toEqual([]);
    expect(titleCased('Sign in with a passkey')).toEqual([]);
  });
});
