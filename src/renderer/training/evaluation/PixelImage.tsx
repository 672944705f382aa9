// A small image drawn to a canvas at its own size and scaled up by CSS, pixels kept sharp.
import { useEffect, useRef, type CSSProperties } from 'react';
import { toRgba } from './pixels.ts';

export interface PixelImageProps {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** height*width*channels bytes, channels last (0..255). */
  pixels: Uint8Array;
  /** The width on screen in CSS pixels (the height follows the aspect ratio). */
  displayWidth?: number;
  className?: string;
  title?: string;
  /** Read by screen readers; without it the image is decorative. */
  label?: string;
  'data-testid'?: string;
}

export function PixelImage({
  width,
  height,
  channels,
  pixels,
  displayWidth,
  className,
  title,
  label,
  'data-testid': testId,
}: PixelImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    try {
      ctx.putImageData(new ImageData(toRgba(pixels, width, height, channels), width, height), 0, 0);
    } catch {
      // Bytes that don't fit the shape: leave the canvas blank rather than break the view.
      ctx.clearRect(0, 0, width, height);
    }
  }, [pixels, width, height, channels]);
  const style: CSSProperties | undefined = displayWidth
    ? { width: displayWidth, height: (displayWidth * height) / width }
    : undefined;
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      className={`ev-pixels${className ? ` ${className}` : ''}`}
      style={style}
      title={title}
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      data-testid={testId}
    />
  );
}
