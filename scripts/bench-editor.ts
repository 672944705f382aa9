// The editor with a 500-layer graph (the resnet152 template, 514 nodes), in
// browser mode: time to open it, frame times while dragging a node, and time
// to re-infer shapes after an edit.
//
//   npm run bench:editor [-- --rounds 5]
//
// Chromium runs headless with software rendering and without the 60 Hz frame
// cap (--disable-frame-rate-limit --disable-gpu-vsync), so frame intervals
// show the real cost of a frame instead of the display's refresh rate.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/main/server/build.ts';
import { startServer } from '../src/main/server/server.ts';
import { analyzeGraph } from '../src/shared/graph/analyze.ts';
import { setParams } from '../src/shared/graph/ops.ts';
import { getTemplate } from '../src/shared/templates/index.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

// Re-inference, in Node (the same pure code the renderer runs on every edit).
const doc = getTemplate('resnet152')!.build();
const cold: number[] = [];
for (let i = 0; i < 20; i++) {
  const fresh = getTemplate('resnet152')!.build();
  const t = performance.now();
  analyzeGraph(fresh);
  cold.push(performance.now() - t);
}
analyzeGraph(doc);
const edit: number[] = [];
let edited = doc;
const target = doc.nodes.find((n) => n.name === 's3b18_conv2')!.id;
for (let i = 0; i < 100; i++) {
  edited = setParams(edited, target, { filters: i % 2 ? 256 : 255 });
  const t = performance.now();
  analyzeGraph(edited);
  edit.push(performance.now() - t);
}

const out = await mkdtemp(join(tmpdir(), 'netforge-bench-editor-'));
const projects = await mkdtemp(join(tmpdir(), 'netforge-bench-projects-'));
process.stderr.write('building the renderer...\n');
await buildApp({ outDir: out, quiet: true });
const server = await startServer({
  port: 0,
  rendererDir: join(out, 'renderer'),
  projectsDir: projects,
});
const browser = await chromium.launch({
  executablePath: process.env.NETFORGE_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-frame-rate-limit',
    '--disable-gpu-vsync',
  ],
});
const opens: number[] = [];
const frames: number[] = [];
try {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1600, height: 1000 });
  page.on('dialog', (d) => void d.accept());
  await page.goto(server.url);
  await page.getByTestId('app').waitFor();
  for (let r = 0; r < rounds; r++) {
    await page.getByTestId('btn-templates').click();
    await page.getByTestId('template-card-lenet5').click();
    await page.getByTestId('node-dense_2').waitFor();
    await page.getByTestId('btn-templates').click();
    const card = page.getByTestId('template-card-resnet152');
    await card.waitFor();
    // From the click to the graph's summary and first nodes on screen.
    const t0 = await page.evaluate(() => performance.now());
    await card.click();
    await page.waitForFunction(
      `document.querySelector('[data-testid="summary-total"]')?.textContent?.includes('58,308,042') &&
       document.querySelectorAll('.react-flow__node').length > 0`,
      undefined,
      { polling: 'raf' },
    );
    opens.push((await page.evaluate(() => performance.now())) - t0);

    // Drag a node for about a second while recording frame intervals.
    // A string, not a function: tsx's helpers (__name) do not exist in the page.
    await page.evaluate(`
      window.__frames = [];
      window.__stop = false;
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!window.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    `);
    const box = (await page.locator('.react-flow__node').first().boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 10);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + 20 + i * 4, box.y + 10 + i * 2);
    await page.mouse.up();
    const f = (await page.evaluate('window.__stop = true; window.__frames.slice(2)')) as number[];
    frames.push(...f);
  }
} finally {
  await browser.close();
  await server.close();
  await rm(out, { recursive: true, force: true });
  await rm(projects, { recursive: true, force: true });
}

console.log(`ResNet-152 template: ${doc.nodes.length} nodes, ${doc.edges.length} edges`);
console.log(
  `open in browser mode (click to summary + nodes shown): median ${median(opens).toFixed(0)} ms over ${rounds} opens (goal < 1000 ms)`,
);
console.log(
  `frame interval while dragging a node: median ${median(frames).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms over ${frames.length} frames (goal median < 16 ms)`,
);
console.log(
  `re-infer shapes after an edit: median ${median(edit).toFixed(2)} ms (goal < 5 ms); first analysis of the graph: median ${median(cold).toFixed(2)} ms`,
);
