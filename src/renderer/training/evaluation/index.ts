// The evaluation view: what the dashboard uses.
export { EvaluationPanel, type EvaluationPanelProps } from './EvaluationPanel.tsx';
export { FeatureMapsView, type FeatureMapsViewProps } from './FeatureMapsView.tsx';
export { PixelImage, type PixelImageProps } from './PixelImage.tsx';
export type { RunInspector } from './types.ts';
