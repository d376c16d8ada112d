// The policy's YAML with source positions: parsing guarded against hostile input, and a
// lookup from a path in the document (["roles", "x", 0, "prefix"]) to a line and column.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  visit,
  type YAMLMap,
} from 'yaml';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

export interface SourceProblem extends Position {
  rule: string;
  message: string;
}

/**
 * The one size cap for a policy, on every front (files, the Action, apply-rbac's event): Lambda
 * payloads stop at 6 MB, and real policies are a few hundred KB. With the node and alias caps
 * below, any text under them validates within 5 s and 1 GiB (BENCHMARKS.md, validation).
 */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

/** What every front says of a policy over the cap. */
export const policyTooLarge = (bytes: number): string =>
  `the policy is ${(bytes / 1048576).toFixed(1)} MiB, over the ${MAX_POLICY_BYTES / 1048576} MiB limit`;
// A policy is at most six levels deep; the YAML parser recurses and runs out of stack (or
// memory) on nesting in the thousands, so refuse anything absurd before it parses.
const MAX_FLOW_DEPTH = 64;
const MAX_NESTING_COLUMNS = 256;
/**
 * The positions parser spends about 10 µs and 1 KB on each node it builds, and more on each
 * finding: text dense in nodes (`{a: [], a: [], …}`, `presets: [a,a,…]`, a million `---`) took
 * 9–17 s and up to 2 GB under the byte cap. Counted from the indicators that open a node (the
 * block `- ` `? ` `: `, and `[` `{` `,` in flow), which overcounts only text inside scalars and
 * comments: a 10,000 + 10,000 policy has about 190,000.
 */
export const MAX_POLICY_NODES = 250_000;
/**
 * The exact parser stops expanding aliases past about 100 uses of one anchor, with no position,
 * and only after it has parsed the whole text (5.7 s for 300,000 `*p` under the caps); no policy
 * needs that many, so the guard counts them and names the one over.
 */
export const MAX_ALIASES = 100;

export class PolicySource {
  // A mapping's entries by key, built the first time a path goes through it: placing N findings
  // in a mapping of N entries then costs N lookups, not N scans. Of a repeated key (reported on
  // its own), the last entry is the one the data holds, so findings in its value point there.
  private readonly pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

  private constructor(
    readonly doc: Document.Parsed | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; returns the source, or the first problem that stops any further checking. */
  static parse(text: string): PolicySource | SourceProblem {
    const guard = guardProblem(text);
    if (guard) return guard;
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, {
      lineCounter: lines,
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    });
    const source = new PolicySource(undefined, lines);
    if (!Array.isArray(docs)) return new PolicySource(undefined, lines); // an empty stream
    if (docs.length > 1) {
      const second = docs[1]?.range?.[0] ?? 0;
      return {
        ...source.positionAt(second),
        rule: 'yaml-syntax',
        message: 'expected one YAML document, found several',
      };
    }
    const doc = docs[0];
    const error = doc?.errors[0];
    if (error) {
      const message =
        error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
      return { ...source.positionAt(error.pos[0]), rule: 'yaml-syntax', message };
    }
    return new PolicySource(doc, lines);
  }

  positionAt(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Where `path` is written: its key (for a map entry) or its value; the nearest existing parent otherwise. */
  locate(path: Path, part: 'key' | 'value' = 'value'): Position {
    let node: unknown = this.doc?.contents;
    let offset = node && (node as Node).range ? (node as Node).range?.[0] : 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = this.pairsOf(node).get(String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        if (last && part === 'key' && keyNode?.range) return this.positionAt(keyNode.range[0]);
        node = pair.value;
        const valueRange = (pair.value as Node | null)?.range ?? keyNode?.range;
        if (valueRange) offset = valueRange[0];
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item?.range) break;
        node = item;
        offset = item.range[0];
      } else {
        break;
      }
    }
    return this.positionAt(offset ?? 0);
  }

  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let index = this.pairIndexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) index.set(keyText(pair.key), pair);
      this.pairIndexes.set(map, index);
    }
    return index;
  }

  // An alias key counts as the key it stands for, so that a duplicate hidden behind one is found.
  private resolvedKeyText(key: unknown): string {
    return isAlias(key) && this.doc ? keyText(key.resolve(this.doc)) : keyText(key);
  }

  /** Keys written more than once in one mapping, with where each repeat stands. */
  duplicateKeys(): { path: PathSegment[]; key: string; first: Position; again: Position }[] {
    const found: { path: PathSegment[]; key: string; first: Position; again: Position }[] = [];
    const walk = (node: unknown, path: PathSegment[]): void => {
      if (isMap(node)) {
        const seen = new Map<string, Node>();
        for (const pair of node.items) {
          const key = this.resolvedKeyText(pair.key);
          const keyNode = pair.key as Node;
          const earlier = seen.get(key);
          if (earlier?.range && keyNode?.range) {
            found.push({
              path,
              key,
              first: this.positionAt(earlier.range[0]),
              again: this.positionAt(keyNode.range[0]),
            });
          } else if (!earlier) seen.set(key, keyNode);
          walk(pair.value, [...path, key]);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => {
          walk(item, [...path, index]);
        });
      }
    };
    walk(this.doc?.contents, []);
    return found;
  }

  /**
   * YAML features no policy needs, each of which lets the text a reviewer reads differ from the
   * data etcd gets: an anchor or alias as a mapping key (`&u alice:` then `*u :` is alice again),
   * a merge key, an explicit tag (`!!binary`, `!custom`), a control character in a key or value.
   */
  featureProblems(): SourceProblem[] {
    const found: SourceProblem[] = [];
    const at = (node: Node | null | undefined, rule: string, message: string) =>
      found.push({ ...this.positionAt(node?.range?.[0] ?? 0), rule, message });
    if (!this.doc) return found;
    visit(this.doc, {
      Pair: (_, pair) => {
        const key = pair.key as Node | null;
        if (isAlias(key) || (key as { anchor?: string } | null)?.anchor)
          at(
            key,
            'yaml-alias-key',
            'an anchor or alias as a mapping key: write each key out, as reviewers read it',
          );
        else if (isScalar(key) && key.value === '<<')
          at(key, 'yaml-merge-key', 'merge keys (<<) are not supported: write the entries out');
      },
      Node: (_, node) => {
        if (node.tag)
          at(
            node,
            'yaml-tag',
            `an explicit tag (${shortTag(node.tag)}): a policy holds plain text, lists and mappings only`,
          );
        if (isScalar(node) && typeof node.value === 'string' && CONTROL_CHARACTER.test(node.value))
          at(node, 'control-character', 'a control character in a key or value: write it out, or remove it');
      },
    });
    return found;
  }

  /** The document as plain data; `undefined` for an empty file. Throws on alias bombs. */
  toData(): unknown {
    return this.doc?.toJS({ maxAliasCount: 100 });
  }
}

// C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const shortTag = (tag: string): string => {
  const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
  return shown.length <= 32 ? shown : `${shown.slice(0, 32)}…`;
};

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key));

// `-`, `?` and `:`: followed by a space, each opens (or enters) a block collection.
const isBlockIndicator = (c: number): boolean => c === 45 || c === 63 || c === 58;
// NaN (past the end of the text) counts as an end.
const isSpaceOrEnd = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || Number.isNaN(c);

// What may come just before a node: a space or tab, a flow collection's opening or separator.
const startsNode = (c: number): boolean => c === 32 || c === 9 || c === 91 || c === 123 || c === 44;

const notText = (line: number, column: number): SourceProblem => ({
  line,
  column,
  rule: 'not-text',
  message: 'the policy is not UTF-8 text (binary bytes)',
});

/** Refuses input no policy could be and that would exhaust a YAML parser: huge, binary or absurdly deep. */
export function guardProblem(text: string): SourceProblem | undefined {
  if (text.length > MAX_POLICY_BYTES) {
    return {
      line: 1,
      column: 1,
      rule: 'file-too-large',
      message: policyTooLarge(text.length),
    };
  }
  let line = 1;
  let lineStart = 0;
  let flowDepth = 0;
  // Block nesting shows in the columns a line spends before its content: indentation, and the
  // indicators `- `, `? ` and `: ` that open a collection on the same line (`? ? ? x` nests three
  // levels). Anchors and tags between them (`? &a ? &b`) do not end that run, nor do they count.
  let inNesting = true;
  let inProperty = false;
  let nestingColumns = 0;
  let nodes = 0;
  // Only `#` comments, blank lines and directives so far: a `---` here starts the first document.
  let beforeContent = true;
  let documentMarkers = 0;
  let aliases = 0;
  let inComment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
      inNesting = true;
      inProperty = false;
      nestingColumns = 0;
      inComment = false;
      continue;
    }
    if (inComment) {
      if (c === 0 || c === 0xfffd) return notText(line, i - lineStart + 1);
      continue;
    }
    if (i === lineStart && c === 45 && text.startsWith('--', i + 1) && isSpaceOrEnd(text.charCodeAt(i + 3))) {
      if (documentMarkers++ > 0 || !beforeContent) {
        return { line, column: 1, rule: 'yaml-syntax', message: 'expected one YAML document, found several' };
      }
      beforeContent = false;
      i += 2;
      continue;
    }
    if (beforeContent && inNesting && c !== 32 && c !== 9 && c !== 13 && c !== 35 && c !== 37) {
      beforeContent = false;
    }
    if (c === 0 || c === 0xfffd) return notText(line, i - lineStart + 1);
    // What a comment holds is no node: brackets there must not count as nesting.
    const previous = i === lineStart ? 32 : text.charCodeAt(i - 1);
    if (c === 35 && (previous === 32 || previous === 9)) {
      inComment = true;
      continue;
    }
    if (
      c === 42 &&
      startsNode(previous) &&
      !isSpaceOrEnd(text.charCodeAt(i + 1)) &&
      ++aliases > MAX_ALIASES
    ) {
      return {
        line,
        column: i - lineStart + 1,
        rule: 'too-many-aliases',
        message: `more than ${MAX_ALIASES} aliases (*name), more than any policy needs`,
      };
    }
    if (c === 91 || c === 123) {
      if (++flowDepth > MAX_FLOW_DEPTH) {
        return {
          line,
          column: i - lineStart + 1,
          rule: 'too-deep',
          message: `nesting deeper than ${MAX_FLOW_DEPTH} levels`,
        };
      }
    } else if (c === 93 || c === 125) {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    if (
      (c === 91 ||
        c === 123 ||
        (c === 44 && flowDepth > 0) ||
        (isBlockIndicator(c) && isSpaceOrEnd(text.charCodeAt(i + 1)))) &&
      ++nodes > MAX_POLICY_NODES
    ) {
      return {
        line,
        column: i - lineStart + 1,
        rule: 'too-many-nodes',
        message: `more than ${MAX_POLICY_NODES.toLocaleString('en')} YAML nodes (entries and collections), far more than any policy needs`,
      };
    }
    if (!inNesting || (inProperty && !isSpaceOrEnd(c))) continue;
    inProperty = false;
    if (c === 32 || c === 9 || (isBlockIndicator(c) && isSpaceOrEnd(text.charCodeAt(i + 1)))) {
      if (++nestingColumns > MAX_NESTING_COLUMNS) {
        return {
          line,
          column: i - lineStart + 1,
          rule: 'too-deep',
          message: `nested deeper than ${MAX_NESTING_COLUMNS} columns of indentation and - ? : indicators`,
        };
      }
    } else if (c === 38 || c === 33) {
      // An anchor (&) or a tag (!) runs to the next space; what follows may nest further.
      inProperty = true;
    } else {
      inNesting = false;
    }
  }
  return undefined;
}
