// Writing Python: identifiers made from layer names, and literals from JSON values.

const KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with',
  'yield', 'match', 'case',
]; // prettier-ignore

/**
 * Names a layer cannot take. Layers become both attributes of the nn.Module (`self.<name>`) and
 * locals of forward(): an attribute named like one of nn.Module's own (train, eval, float, to,
 * ...) would be shadowed by the method and never reached, and a local named like a module the
 * code uses (torch, F, math) would hide it.
 */
const RESERVED = new Set([
  ...KEYWORDS,
  'torch', 'nn', 'F', 'math', 'self', 'x', 'super', 'float', 'int', 'len', 'range', 'tuple',
  'list', 'dict', 'print', 'sum', 'min', 'max', 'object', 'type',
  'training', 'forward', 'train', 'eval', 'cuda', 'cpu', 'to', 'double', 'half', 'bfloat16',
  'apply', 'modules', 'children', 'parameters', 'named_parameters', 'buffers', 'named_buffers',
  'named_children', 'named_modules', 'state_dict', 'load_state_dict', 'register_buffer',
  'register_parameter', 'register_module', 'add_module', 'get_submodule', 'get_parameter',
  'get_buffer', 'get_extra_state', 'set_extra_state', 'zero_grad', 'requires_grad_',
  'share_memory', 'extra_repr', 'ipu', 'xpu', 'mtia', 'to_empty', 'compile', 'dump_patches',
  'call_super_init', 'register_forward_hook', 'register_forward_pre_hook',
  'register_backward_hook', 'register_full_backward_hook', 'register_full_backward_pre_hook',
  'register_load_state_dict_post_hook', 'register_load_state_dict_pre_hook',
  'register_state_dict_pre_hook', 'register_state_dict_post_hook', 'reset_parameters',
]); // prettier-ignore

/**
 * Gives each layer name a Python identifier, unique among those given: characters other than
 * letters, digits and _ become _, and a reserved name gains a trailing _.
 */
export class Identifiers {
  private readonly used = new Set<string>();
  private readonly byName = new Map<string, string>();

  of(name: string): string {
    const known = this.byName.get(name);
    if (known) return known;
    let id = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(id)) id = `l_${id}`;
    if (RESERVED.has(id)) id = `${id}_`;
    let unique = id;
    for (let n = 2; this.used.has(unique); n++) unique = `${id}_${n}`;
    this.used.add(unique);
    this.byName.set(name, unique);
    return unique;
  }
}

/** A class name from a model's title: "LeNet-5" -> LeNet5, "DenseNet (CIFAR-10)" -> DenseNetCIFAR10. */
export function className(title: string): string {
  const words = title.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!name || !/^[A-Za-z]/.test(name)) return `Net${name}`;
  return RESERVED.has(name) ? `${name}Net` : name;
}

/** A Python literal for a JSON-like value (numbers keep their value exactly). */
export function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value))
      return Number.isNaN(value) ? "float('nan')" : value > 0 ? 'math.inf' : '-math.inf';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map(py);
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${JSON.stringify(k)}: ${py(v)}`,
  );
  return `{${entries.join(', ')}}`;
}

/** A pair as Python takes it: one number when both axes agree. */
export const pyPair = (p: readonly [number, number]): string =>
  p[0] === p[1] ? String(p[0]) : `(${p[0]}, ${p[1]})`;

/** Indents every non-empty line of `lines` by `n` levels of four spaces. */
export const indent = (lines: string[], n: number): string[] =>
  lines.map((l) => (l ? ' '.repeat(4 * n) + l : l));

/** A Python string literal for free text (titles, descriptions) on one line. */
export const pyText = (s: string): string => JSON.stringify(s.replace(/\s+/g, ' ').trim());
