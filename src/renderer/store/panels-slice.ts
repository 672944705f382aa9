// The frame's panels: their sizes, which are folded away, the minimap and how Layout arranges the
// graph. Kept across sessions (local-settings.ts), clamped so that a size remembered from a
// larger screen never hides the canvas.
import type { StateCreator } from 'zustand';
import { LAYOUT_MODES, type LayoutMode } from '../layout/auto-layout.ts';
import { readSetting, writeSetting } from './local-settings.ts';
import type { Store } from './store.ts';

export { LAYOUT_MODES, type LayoutMode };

export interface Panels {
  paletteWidth: number;
  paletteOpen: boolean;
  rightWidth: number;
  /** The inspector's height in the right column; the Training panel takes the rest. */
  inspectorHeight: number;
  bottomHeight: number;
  bottomOpen: boolean;
  minimap: boolean;
  layoutMode: LayoutMode;
}

export type PanelSize = 'paletteWidth' | 'rightWidth' | 'inspectorHeight' | 'bottomHeight';

/** The smallest and largest size of each panel, in CSS pixels. */
export const PANEL_LIMITS: Record<PanelSize, [number, number]> = {
  paletteWidth: [140, 360],
  rightWidth: [260, 600],
  inspectorHeight: [110, 900],
  bottomHeight: [90, 600],
};

export const DEFAULT_PANELS: Panels = {
  paletteWidth: 180,
  paletteOpen: true,
  rightWidth: 320,
  inspectorHeight: 290,
  bottomHeight: 170,
  bottomOpen: true,
  minimap: true,
  layoutMode: 'columns',
};

const KEY = 'netforge.panels';

const clamp = (name: PanelSize, v: number): number => {
  const [lo, hi] = PANEL_LIMITS[name];
  return Math.round(Math.min(hi, Math.max(lo, v)));
};

/** The remembered panels, each value checked; anything missing or odd takes its default. */
function remembered(): Panels {
  const saved = readSetting(KEY, (v) =>
    v && typeof v === 'object' ? (v as Record<string, unknown>) : null,
  );
  const p = { ...DEFAULT_PANELS };
  if (!saved) return p;
  for (const name of Object.keys(PANEL_LIMITS) as PanelSize[]) {
    const v = saved[name];
    if (typeof v === 'number' && Number.isFinite(v)) p[name] = clamp(name, v);
  }
  for (const name of ['paletteOpen', 'bottomOpen', 'minimap'] as const) {
    const v = saved[name];
    if (typeof v === 'boolean') p[name] = v;
  }
  if (LAYOUT_MODES.includes(saved['layoutMode'] as LayoutMode))
    p.layoutMode = saved['layoutMode'] as LayoutMode;
  return p;
}

export interface PanelsSlice {
  panels: Panels;
  /** Sets a panel's size (clamped to its limits). */
  resizePanel: (name: PanelSize, size: number) => void;
  setPanels: (change: Partial<Omit<Panels, PanelSize>>) => void;
}

export const createPanelsSlice: StateCreator<Store, [], [], PanelsSlice> = (set, get) => {
  const save = (panels: Panels) => {
    writeSetting(KEY, panels);
    set({ panels });
  };
  return {
    panels: remembered(),
    resizePanel: (name, size) => {
      const panels = get().panels;
      const next = clamp(name, size);
      if (panels[name] !== next) save({ ...panels, [name]: next });
    },
    setPanels: (change) => save({ ...get().panels, ...change }),
  };
};
