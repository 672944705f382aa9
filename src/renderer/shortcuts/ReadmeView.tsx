// The README, the full guide, inside the app (offline, in both modes): loaded on first use, as
// its own chunk, and drawn from its Markdown's headings, lists, code blocks and paragraphs.
import { useEffect, useState, type ReactNode } from 'react';

/** `code` and [links](to) inside a line: code as code, a link as its text. */
function inline(text: string): ReactNode[] {
  return text
    .split(/(`[^`]+`)/)
    .map((part, i) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1 ? (
        <code key={i}>{part.slice(1, -1)}</code>
      ) : (
        part.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/\*\*([^*]+)\*\*/g, '$1')
      ),
    );
}

/** Markdown blocks as elements (enough for the README: no tables, no nesting). */
export function renderMarkdown(md: string): ReactNode[] {
  const out: ReactNode[] = [];
  const lines = md.split('\n');
  let para: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (para.length) out.push(<p key={out.length}>{inline(para.join(' '))}</p>);
    if (list.length)
      out.push(
        <ul key={out.length}>
          {list.map((item, i) => (
            <li key={i}>{inline(item)}</li>
          ))}
        </ul>,
      );
    para = [];
    list = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) code.push(lines[i]!);
      out.push(<pre key={out.length}>{code.join('\n')}</pre>);
    } else if (/^#{1,4} /.test(line)) {
      flush();
      const level = line.indexOf(' ');
      const text = inline(line.slice(level + 1));
      out.push(level <= 2 ? <h3 key={out.length}>{text}</h3> : <h4 key={out.length}>{text}</h4>);
    } else if (/^\s*[-*] /.test(line)) {
      if (para.length) flush();
      list.push(line.replace(/^\s*[-*] /, ''));
    } else if (line.trim() === '') flush();
    else if (list.length && /^\s+/.test(line)) list[list.length - 1] += ` ${line.trim()}`;
    else {
      if (list.length) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out;
}

export function ReadmeView() {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    import('../../../README.md?raw').then(
      (m: { default: string }) => setText(m.default),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, []);
  if (error) return <p className="field-error">Could not load the README ({error}).</p>;
  if (text === null) return <p className="muted">Loading the README…</p>;
  return (
    <div className="nf-readme" data-testid="help-readme">
      {renderMarkdown(text)}
    </div>
  );
}
