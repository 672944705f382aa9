import { describe, expect, it } from 'vitest';
import {
  PALETTE,
  formatLoss,
  formatPercent,
  formatRate,
  formatStep,
  paletteColor,
  percentTicks,
  rateTicks,
  withAlpha,
} from './format.ts';

describe('chart formats', () => {
  it('formats losses', () => {
    expect(formatLoss(2.302585)).toBe('2.303');
    expect(formatLoss(0.0123456)).toBe('0.01235');
    expect(formatLoss(0.00012)).toBe('1.20e-4');
    expect(formatLoss(0)).toBe('0');
    expect(formatLoss(null)).toBe('–');
    expect(formatLoss(Number.NaN)).toBe('–');
  });

  it('formats accuracies, rates and steps', () => {
    expect(formatPercent(0.98765)).toBe('98.8%');
    expect(formatPercent(undefined)).toBe('–');
    expect(formatRate(0.001)).toBe('1.0e-3');
    expect(formatRate(0.1)).toBe('0.1');
    expect(formatRate(0.0125)).toBe('0.0125');
    expect(formatStep(1234.4)).toBe('1234');
  });

  it('labels accuracy ticks with just enough decimals', () => {
    expect(percentTicks([0, 0.5, 1], 0.5)).toEqual(['0%', '50%', '100%']);
    expect(percentTicks([0.97, 0.975, 0.98], 0.005)).toEqual(['97.0%', '97.5%', '98.0%']);
    expect(rateTicks([0, 0.001, 0.5])).toEqual(['0', '1.0e-3', '0.5']);
  });

  it('adds an alpha to hex and rgb colours', () => {
    expect(withAlpha('#2563eb', 0.3)).toBe('rgba(37, 99, 235, 0.3)');
    expect(withAlpha(' #fff ', 0.5)).toBe('rgba(255, 255, 255, 0.5)');
    expect(withAlpha('rgb(1, 2, 3)', 2)).toBe('rgba(1, 2, 3, 1)');
    expect(withAlpha('rgb(1 2 3)', 0.25)).toBe('rgba(1, 2, 3, 0.25)');
    expect(withAlpha('tomato', 0.5)).toBe('tomato');
  });

  it('cycles through the palette', () => {
    expect(paletteColor(0)).toBe(PALETTE[0]);
    expect(paletteColor(PALETTE.length + 1)).toBe(PALETTE[1]);
    expect(new Set(PALETTE).size).toBe(PALETTE.length);
  });
});
