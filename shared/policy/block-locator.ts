// Placing findings in a policy the fast parse has read, without re-parsing all of it with source
// positions (the positioned parser takes seconds on a policy of megabytes). Most policies are
// block mappings, whose entries can be cut out by indentation alone: a finding's path is followed
// down through those blocks and only the smallest entry holding it is parsed with positions.
// Every cut is checked against the fast parse's data (the same keys at each level, the same value
// in the end). What cannot be placed that way is left to the exact path, which parses it all:
// where a cut and the fast parse disagree, the two parsers do, and the exact one is the reference.
import { isDeepStrictEqual } from 'node:util';
import { isScalar, parseDocument } from 'yaml';
import { type Path, PolicySource, type Position } from './source.js';

/**
 * A mapping entry's or a sequence item's lines, [line, end), 0-based; its key (or its `-`) starts
 * at column `indent`.
 */
interface Entry {
  line: number;
  end: number;
  indent: number;
  /** The block its value is, once looked for (null: not looked for yet); items are not looked into. */
  child: Block | undefined | null;
}

/** The lines [first, end) of a block mapping or sequence whose entries stand at column `indent`. */
interface Block {
  kind: 'mapping' | 'sequence';
  first: number;
  end: number;
  indent: number;
}

/** Where a finding is placed, or at least a position no later than it: `exact` says which. */
export interface Bound {
  position: Position;
  exact: boolean;
}

interface Narrowed {
  entry: Entry;
  /** How many segments of the path lead to `entry`. */
  depth: number;
}

export class BlockLocator {
  private readonly lineStarts: number[] = [0];
  private root: Block | undefined | null = null;
  private readonly indexes = new Map<number, Map<string, Entry> | undefined>();
  private readonly itemLists = new Map<number, Entry[] | undefined>();
  private readonly slices = new Map<number, PolicySource | undefined>();

  constructor(
    private readonly text: string,
    private readonly data: unknown,
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** Cheap: an exact position when the key of an indexed entry is asked for, else a lower bound. */
  bound(path: Path, part: 'key' | 'value'): Bound {
    const document = path.length === 0 ? this.documentStart() : undefined;
    if (document) return { position: document, exact: true };
    const narrowed = this.narrow(path);
    if (!narrowed) return { position: { line: 1, column: 1 }, exact: false };
    const { entry, depth } = narrowed;
    if (depth === path.length && part === 'key' && typeof path.at(-1) === 'string') {
      return { position: { line: entry.line + 1, column: entry.indent + 1 }, exact: true };
    }
    return { position: { line: entry.line + 1, column: 1 }, exact: false };
  }

  /** Where `path` is written, as PolicySource.locate would place it; undefined when no checked cut holds it. */
  locate(path: Path, part: 'key' | 'value'): Position | undefined {
    if (path.length === 0) return this.documentStart();
    const narrowed = this.narrow(path);
    const slice = narrowed && this.sliceOf(narrowed.entry, path.slice(0, narrowed.depth));
    if (!narrowed || !slice) return undefined;
    // Within its slice, an item is the first of a one-item sequence.
    const within = path.slice(narrowed.depth - 1);
    if (typeof within[0] === 'number') within[0] = 0;
    const { line, column } = slice.locate(within, part);
    return { line: line + narrowed.entry.line, column };
  }

  // The whole policy is placed where its mapping starts: at its first key.
  private documentStart(): Position | undefined {
    const root = this.rootBlock();
    if (!root || !isMapping(this.data) || !this.indexOf(root, this.data)) return undefined;
    return { line: root.first + 1, column: root.indent + 1 };
  }

  // The deepest indexed entry on `path`; undefined when the document's root is not a block mapping
  // that agrees with the data, or the path is empty.
  private narrow(path: Path): Narrowed | undefined {
    let block = this.rootBlock();
    let node = this.data;
    let found: Narrowed | undefined;
    for (const segment of path) {
      const entry = block && this.entryAt(block, node, segment);
      if (!entry) break;
      found = { entry, depth: (found?.depth ?? 0) + 1 };
      node = (node as Record<string | number, unknown>)[segment];
      if (found.depth < path.length) {
        if (entry.child === null)
          entry.child = typeof segment === 'string' ? this.childBlock(entry) : undefined;
        block = entry.child;
      }
    }
    return found;
  }

  private rootBlock(): Block | undefined {
    if (this.root === null) {
      let first = this.nextContentLine(0, this.lineStarts.length);
      // A document start marker alone on its line may open the document.
      if (first !== undefined && this.lineText(first).trimEnd() === '---') {
        first = this.nextContentLine(first + 1, this.lineStarts.length);
      }
      this.root =
        first === undefined
          ? undefined
          : { kind: 'mapping', first, end: this.lineStarts.length, indent: this.indentOf(first) };
    }
    return this.root;
  }

  // An entry's value is a block when nothing follows its key on the line and the next content
  // line is indented further (a mapping or a sequence), or is a sequence item at the key's own
  // indentation.
  private childBlock(entry: Entry): Block | undefined {
    const line = this.lineText(entry.line);
    const afterKey = keyEnd(line, entry.indent);
    if (afterKey === undefined || !isEmptyOrComment(line, afterKey)) return undefined;
    const first = this.nextContentLine(entry.line + 1, entry.end);
    if (first === undefined) return undefined;
    const indent = this.indentOf(first);
    const kind = isSequenceItem(this.lineText(first), indent) ? 'sequence' : 'mapping';
    if (indent < entry.indent || (indent === entry.indent && kind === 'mapping')) return undefined;
    return { kind, first, end: entry.end, indent };
  }

  // The entry (or item) of `block` that `segment` names in `node`, the data the fast parse read there.
  private entryAt(block: Block, node: unknown, segment: string | number): Entry | undefined {
    if (block.kind === 'mapping') {
      return typeof segment === 'string' && isMapping(node)
        ? this.indexOf(block, node)?.get(segment)
        : undefined;
    }
    return typeof segment === 'number' && Array.isArray(node)
      ? this.itemsOf(block, node)?.[segment]
      : undefined;
  }

  // The block's entries by key, checked against the mapping the fast parse read there: any line
  // the scan cannot read as an entry, or a key set that differs, makes the block unusable.
  private indexOf(block: Block, mapping: Record<string, unknown>): Map<string, Entry> | undefined {
    if (this.indexes.has(block.first)) return this.indexes.get(block.first);
    const index = this.scanEntries(block);
    const keys = Object.keys(mapping);
    const agrees = index !== undefined && index.size === keys.length && keys.every((key) => index.has(key));
    this.indexes.set(block.first, agrees ? index : undefined);
    return agrees ? index : undefined;
  }

  // The block sequence's items, checked against the length of the list the fast parse read there.
  private itemsOf(block: Block, list: unknown[]): Entry[] | undefined {
    if (this.itemLists.has(block.first)) return this.itemLists.get(block.first);
    const items = this.scanItems(block);
    const agrees = items !== undefined && items.length === list.length;
    this.itemLists.set(block.first, agrees ? items : undefined);
    return agrees ? items : undefined;
  }

  private scanItems(block: Block): Entry[] | undefined {
    const items: Entry[] = [];
    for (let l = block.first; l < block.end; l++) {
      const line = this.lineText(l);
      const indent = leadingSpaces(line);
      if (indent > block.indent || isEmptyOrComment(line, indent)) continue;
      if (indent < block.indent || !isSequenceItem(line, indent)) return undefined;
      const previous = items.at(-1);
      if (previous) previous.end = l;
      items.push({ line: l, end: block.end, indent, child: undefined });
    }
    return items;
  }

  private scanEntries(block: Block): Map<string, Entry> | undefined {
    const index = new Map<string, Entry>();
    let previous: Entry | undefined;
    for (let l = block.first; l < block.end; l++) {
      const line = this.lineText(l);
      const indent = leadingSpaces(line);
      if (indent > block.indent || isEmptyOrComment(line, indent)) continue;
      if (indent < block.indent) return undefined;
      // A sequence may stand at its key's own indentation (`roles:` then `- x`).
      if (isSequenceItem(line, indent) && previous) continue;
      const key = keyAt(line, indent);
      if (key === undefined || index.has(key)) return undefined;
      if (previous) previous.end = l;
      previous = { line: l, end: block.end, indent, child: null };
      index.set(key, previous);
    }
    return index;
  }

  // The entry's text parsed with positions, once; kept only if it holds exactly the key (or the one
  // item) and the value the fast parse read at `path`.
  private sliceOf(entry: Entry, path: Path): PolicySource | undefined {
    if (this.slices.has(entry.line)) return this.slices.get(entry.line);
    const text = this.text.slice(this.lineStarts[entry.line], this.lineStarts[entry.end] ?? this.text.length);
    const parsed = PolicySource.parse(text);
    let slice: PolicySource | undefined;
    if (parsed instanceof PolicySource) {
      const last = path.at(-1);
      const value = path.reduce<unknown>((node, segment) => (node as never)[segment], this.data);
      const expected = typeof last === 'number' ? [value] : { [String(last)]: value };
      if (isDeepStrictEqual(parsed.toData(), expected)) slice = parsed;
    }
    this.slices.set(entry.line, slice);
    return slice;
  }

  private lineText(line: number): string {
    const start = this.lineStarts[line] as number;
    const next = this.lineStarts[line + 1];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1);
  }

  private indentOf(line: number): number {
    return leadingSpaces(this.lineText(line));
  }

  private nextContentLine(from: number, end: number): number | undefined {
    for (let l = from; l < end; l++) {
      const line = this.lineText(l);
      if (!isEmptyOrComment(line, 0)) return l;
    }
    return undefined;
  }
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const leadingSpaces = (line: string): number => {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
};

const isSpaceOrEnd = (line: string, at: number): boolean => {
  const c = line.charCodeAt(at);
  return c === 32 || c === 9 || c === 13 || Number.isNaN(c);
};

/** Whether `line` from `from` on holds only white space, or a comment. */
function isEmptyOrComment(line: string, from: number): boolean {
  let i = from;
  while (isSpaceOrEnd(line, i) && i < line.length) i++;
  return i >= line.length || line[i] === '#';
}

const isSequenceItem = (line: string, indent: number): boolean =>
  line[indent] === '-' && isSpaceOrEnd(line, indent + 1);

// Characters that give a line's start another meaning than a plain key: flow collections,
// properties, aliases, block scalars, quotes (read apart), directives and reserved indicators.
const NOT_A_PLAIN_KEY = /^(?:[-?:](?:[ \t\r]|$)|[[\]{},#&*!|>%@`])/;
// Plain scalars the YAML core schema reads as something else than the text itself.
const NOT_PLAIN_TEXT = /^(?:[-+.\d~]|(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$)/;

/** The key of the entry starting at `indent`, as the data spells it; undefined when unsure. */
function keyAt(line: string, indent: number): string | undefined {
  const end = keyEnd(line, indent);
  if (end === undefined) return undefined;
  const written = line.slice(indent, end).replace(/[ \t]*:$/, '');
  if (written.startsWith('"') || written.startsWith("'")) {
    const value = scalarOf(written);
    return typeof value === 'string' ? value : undefined;
  }
  if (NOT_A_PLAIN_KEY.test(written) || /[ \t]#/.test(written)) return undefined;
  if (!NOT_PLAIN_TEXT.test(written)) return written;
  const value = scalarOf(written);
  return value === undefined ? undefined : String(value);
}

/** A one-line scalar as the YAML core schema reads it; undefined when it is not one. */
function scalarOf(written: string): unknown {
  const doc = parseDocument(written, { logLevel: 'silent' });
  return doc.errors.length === 0 && isScalar(doc.contents) ? doc.contents.value : undefined;
}

/** The index just past the `:` that ends the key starting at `indent`; undefined when there is none. */
function keyEnd(line: string, indent: number): number | undefined {
  let i = indent;
  const quote = line[i];
  if (quote === '"' || quote === "'") {
    for (i++; i < line.length; i++) {
      if (quote === '"' && line[i] === '\\') i++;
      else if (line[i] === quote) {
        if (quote === "'" && line[i + 1] === "'") i++;
        else break;
      }
    }
    if (i >= line.length) return undefined;
    i++;
  }
  for (; i < line.length; i++) {
    if (line[i] === ':' && isSpaceOrEnd(line, i + 1)) return i + 1;
  }
  return undefined;
}
