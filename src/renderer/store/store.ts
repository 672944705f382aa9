// One zustand store made of slices; actions sit next to their state.
import { create } from 'zustand';
import { createGraphSlice, type GraphSlice } from './graph-slice.ts';
import { createSelectionSlice, type SelectionSlice } from './selection-slice.ts';
import { createPanelsSlice, type PanelsSlice } from './panels-slice.ts';
import { createUiSlice, type UiSlice } from './ui-slice.ts';
import { createProjectSlice, type ProjectSlice } from './project-slice.ts';
import { createTrainingSlice, type TrainingSlice } from './training-slice.ts';
import { createExportSlice, type ExportSlice } from './export-slice.ts';

export type Store = GraphSlice &
  SelectionSlice &
  UiSlice &
  PanelsSlice &
  ProjectSlice &
  TrainingSlice &
  ExportSlice;

export const createStore = () =>
  create<Store>()((...a) => ({
    ...createGraphSlice(...a),
    ...createSelectionSlice(...a),
    ...createUiSlice(...a),
    ...createPanelsSlice(...a),
    ...createProjectSlice(...a),
    ...createTrainingSlice(...a),
    ...createExportSlice(a[0], a[1]),
  }));

export const useStore = createStore();
