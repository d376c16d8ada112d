// The fast way to the data of a policy that is most likely fine. js-yaml parses several times
// faster than the `yaml` library but keeps no source positions, so it serves only as a first pass:
// any doubt (a parse error, an anchor or alias, a duplicate key, text the two parsers read
// differently) sends the text to the exact path in load.ts, which re-parses with positions and
// reports. Findings in text read here are placed from the entries that hold them (block-locator.ts).
import { CORE_SCHEMA, load } from 'js-yaml';
import { CONTROL_CHARACTER, guardProblem } from './source.js';

// Anchors and aliases can multiply a document (alias bombs); js-yaml has no limit for them, so
// such text always takes the exact path, whose parser caps alias expansion.
const ANCHOR_OR_ALIAS = /(?:^|[\s,[{:-])[&*][^\s,\]}]/m;
// js-yaml takes `x#` after a flow collection as a comment; YAML needs a space before a comment.
const HASH_AFTER_TEXT = /\S#/;
// Keys the parsers name differently: an empty or null key (js-yaml "null", YAML ""), and a
// collection as a key (js-yaml `[a]` is "a", YAML's is "[ a ]").
const NULL_KEY = /(?:^[ \t]*(?:[-?][ \t]+)*|[{,][ \t]*)(?:null|Null|NULL|~)?[ \t]*:(?=[ \t,\]}]|$)/m;
const COLLECTION_KEY = /[\]}][ \t]*:(?=[ \t]|$)/m;
// Integers js-yaml reads that YAML 1.2's core schema leaves as text: binary, and signed hex or octal.
const JS_YAML_ONLY_INTEGER = /(?:^|[\s,[{])(?:[-+]?0b[01]|[-+]0[xo])/m;
// A carriage return alone ends a line for YAML, not for js-yaml; and js-yaml lets tabs into the
// indentation where YAML refuses them.
const LONE_CARRIAGE_RETURN = /\r(?!\n)/;
const TAB_IN_INDENTATION = /^ *\t/m;
// Tags, merge keys and control characters are refused, and the exact path says where. A
// control character may also hide behind an escape sequence ("\u0085"), so a backslash (rare in
// policies) sends the text there too.
const TAG = /(?:^|[\s,[{:-])!/m;
const MERGE_KEY = /(?:^|[\s{,])<<[ \t]*:/m;

// The parsers differ on flow collections that span lines (js-yaml lets a continuation line sit
// less indented than YAML allows); such text, rare in policies, takes the exact path.
function flowSpansLines(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) depth--;
    else if (c === 10 && depth !== 0) return true;
  }
  return depth !== 0;
}

/** The document as plain data, or undefined when only the exact path can answer. */
export function quickParse(text: string): { data: unknown } | undefined {
  if (
    guardProblem(text) ||
    ANCHOR_OR_ALIAS.test(text) ||
    HASH_AFTER_TEXT.test(text) ||
    NULL_KEY.test(text) ||
    COLLECTION_KEY.test(text) ||
    JS_YAML_ONLY_INTEGER.test(text) ||
    LONE_CARRIAGE_RETURN.test(text) ||
    TAB_IN_INDENTATION.test(text) ||
    TAG.test(text) ||
    MERGE_KEY.test(text) ||
    CONTROL_CHARACTER.test(text) ||
    text.includes('\\') ||
    flowSpansLines(text)
  ) {
    return undefined;
  }
  try {
    // CORE_SCHEMA is YAML 1.2's core schema, the same the `yaml` library uses by default; js-yaml
    // refuses duplicate keys and multiple documents, which is what the exact path reports on.
    return { data: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    return undefined;
  }
}
