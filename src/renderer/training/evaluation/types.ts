// What the evaluation view needs from the engine for one run, so the components don't talk to
// the engine themselves (the dashboard implements it with the EngineClient).
import type { FeatureMaps, RunImages } from '../../../shared/api.ts';

export interface RunInspector {
  /** Test images by index (at most MAX_IMAGES_PER_REQUEST per call). */
  images(indices: number[]): Promise<RunImages>;
  /** One layer's outputs for one test image; layer null: the first layer with a spatial output. */
  featureMaps(layer: string | null, index: number): Promise<FeatureMaps>;
}

/** A failed call's message, written for the user by the engine. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'Something went wrong.';
}
