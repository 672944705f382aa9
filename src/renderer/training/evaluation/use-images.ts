// The images for a list of test indices, loaded through the run's inspector (cached per run).
import { useEffect, useState } from 'react';
import { loadImages, peekImages, type LoadedImage } from './image-loader.ts';
import { errorMessage, type RunInspector } from './types.ts';

export interface ImagesState {
  /** The loaded images by index (empty while loading or after an error). */
  images: Map<number, LoadedImage>;
  loading: boolean;
  /** Why loading failed, written for the user. */
  error: string | null;
  retry(): void;
}

interface Result {
  inspector: RunInspector;
  key: string;
  images: Map<number, LoadedImage> | null;
  error: string | null;
}

const EMPTY = new Map<number, LoadedImage>();

export function useImages(inspector: RunInspector | null, indices: readonly number[]): ImagesState {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<Result | null>(null);
  const key = `${attempt}:${indices.join(',')}`;
  const retry = () => setAttempt((a) => a + 1);

  useEffect(() => {
    if (!inspector) return;
    const list = key.slice(key.indexOf(':') + 1);
    if (!list) return;
    const wanted = list.split(',').map(Number);
    if (peekImages(inspector, wanted)) return;
    let live = true; // a reply for indices no longer shown is dropped
    loadImages(inspector, wanted).then(
      (images) => {
        if (live) setResult({ inspector, key, images, error: null });
      },
      (error: unknown) => {
        if (live) setResult({ inspector, key, images: null, error: errorMessage(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [inspector, key]);

  if (!inspector || indices.length === 0)
    return { images: EMPTY, loading: false, error: null, retry };
  const cached = peekImages(inspector, indices);
  if (cached)
    return { images: new Map(cached.map((i) => [i.index, i])), loading: false, error: null, retry };
  if (result && result.inspector === inspector && result.key === key)
    return { images: result.images ?? EMPTY, loading: false, error: result.error, retry };
  return { images: EMPTY, loading: true, error: null, retry };
}
