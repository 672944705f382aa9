// Test images through a RunInspector: asked for in batches the engine accepts, decoded once and
// kept per inspector, so paging back and forth or reopening a cell doesn't fetch them again.
import { MAX_IMAGES_PER_REQUEST } from '../../../shared/api.ts';
import type { RunInspector } from './types.ts';
import { decodeBase64 } from './pixels.ts';

export interface LoadedImage {
  index: number;
  label: number;
  width: number;
  height: number;
  channels: number;
  /** height*width*channels bytes, channels last. */
  pixels: Uint8Array;
}

interface Cache {
  images: Map<number, LoadedImage>;
  classNames: string[] | null;
}

const caches = new WeakMap<RunInspector, Cache>();

function cacheOf(inspector: RunInspector): Cache {
  let cache = caches.get(inspector);
  if (!cache) {
    cache = { images: new Map(), classNames: null };
    caches.set(inspector, cache);
  }
  return cache;
}

/** The images already loaded for these indices, or null unless every one is. */
export function peekImages(inspector: RunInspector, indices: readonly number[]) {
  const { images } = cacheOf(inspector);
  const found: LoadedImage[] = [];
  for (const i of indices) {
    const image = images.get(i);
    if (!image) return null;
    found.push(image);
  }
  return found;
}

/** The dataset's class names, once any image has been loaded. */
export function loadedClassNames(inspector: RunInspector): string[] | null {
  return cacheOf(inspector).classNames;
}

/**
 * Loads the images for `indices` (fetching only those not loaded yet, at most
 * MAX_IMAGES_PER_REQUEST a call) and returns them by index. An index the reply left out is
 * missing from the map. Rejects with the inspector's error; nothing of a failed batch is kept.
 */
export async function loadImages(
  inspector: RunInspector,
  indices: readonly number[],
): Promise<Map<number, LoadedImage>> {
  const cache = cacheOf(inspector);
  const missing = [...new Set(indices)].filter((i) => !cache.images.has(i));
  for (let at = 0; at < missing.length; at += MAX_IMAGES_PER_REQUEST) {
    const reply = await inspector.images(missing.slice(at, at + MAX_IMAGES_PER_REQUEST));
    cache.classNames = reply.classNames;
    for (const image of reply.images)
      cache.images.set(image.index, {
        index: image.index,
        label: image.label,
        width: reply.width,
        height: reply.height,
        channels: reply.channels,
        pixels: decodeBase64(image.pixels),
      });
  }
  const out = new Map<number, LoadedImage>();
  for (const i of indices) {
    const image = cache.images.get(i);
    if (image) out.set(i, image);
  }
  return out;
}
