// The enclosing-function index, built at upload time from the original sources a map carries
// (sourcesContent). The collector names a mapped frame after the innermost function whose range holds the
// original position: the name a map records at that position is the identifier the throwing expression
// starts with (`reduce`, `JSON`, `this`), rarely the function's. TypeScript's parser reads JS, TS and JSX.
import ts from 'typescript';

/** [startLine, startColumn, endLine, endColumn, name]: lines from 1, columns from 0 (UTF-16 units, as in maps). */
export type FunctionRange = [number, number, number, number, string];

/** Sources larger than this are not indexed (their frames keep the map's names): parse time is linear, but a
 * generated multi-megabyte file is rarely where the bug is. */
export const MAX_INDEXED_SOURCE_LENGTH = 2 * 1024 * 1024;
/** Names are clipped: a property assignment can be a long expression. */
const MAX_NAME_LENGTH = 200;

/** The functions of one source, by start position. */
export function functionRanges(fileName: string, content: string): FunctionRange[] {
  if (content.length > MAX_INDEXED_SOURCE_LENGTH) return [];
  const kind = /\.tsx$/.test(fileName)
    ? ts.ScriptKind.TSX
    : /\.[mc]?ts$/.test(fileName)
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JSX; // JSX parses plain JavaScript too
  const sf = ts.createSourceFile(fileName, content, ts.ScriptTarget.Latest, true, kind);
  const out: FunctionRange[] = [];
  const visit = (node: ts.Node, enclosing: string | undefined) => {
    let inner = enclosing;
    if (isFunctionLike(node)) {
      const name = nameOf(node, sf) ?? (enclosing ? `${enclosing}/<` : '<anonymous>');
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      const end = sf.getLineAndCharacterOfPosition(node.getEnd());
      out.push([start.line + 1, start.character, end.line + 1, end.character, name.slice(0, MAX_NAME_LENGTH)]);
      inner = name;
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(sf, undefined);
  return out;
}

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The name a reader knows the function by: its own, `Class.method`, `new Class`, or what it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string | undefined {
  const className = (n: ts.Node) =>
    (ts.isClassDeclaration(n.parent) || ts.isClassExpression(n.parent)) && n.parent.name
      ? n.parent.name.text
      : undefined;
  if (ts.isConstructorDeclaration(node)) return `new ${className(node) ?? '<anonymous>'}`;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const method = node.name.getText(sf);
    const cls = className(node);
    return cls ? `${cls}.${method}` : method;
  }
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    const prop = parent.name.getText(sf);
    const cls = ts.isPropertyDeclaration(parent) ? className(parent) : undefined;
    return cls ? `${cls}.${prop}` : prop;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return parent.left.getText(sf).replace(/\s+/g, '');
  }
  if (ts.isExportAssignment(parent)) return 'default';
  return undefined;
}
