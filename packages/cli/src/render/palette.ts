import type { Rgb } from './png-canvas';

/**
 * Colours for plots (the Tableau 10 set): distinguishable, colour-blind friendly enough, and readable on white.
 * Suggested roles in NOT pictures: source `blue`, target `orange`, mapped points `green`, lines `gray`.
 */
export const PLOT_COLORS = {
  blue: [78, 121, 167],
  orange: [242, 142, 43],
  red: [225, 87, 89],
  teal: [118, 183, 178],
  green: [89, 161, 79],
  yellow: [237, 201, 72],
  purple: [176, 122, 161],
  pink: [255, 157, 167],
  brown: [156, 117, 95],
  gray: [148, 140, 136],
} as const satisfies Record<string, Rgb>;

/** The {@link PLOT_COLORS} in order, for colouring the k-th series: `PLOT_COLOR_CYCLE[k % PLOT_COLOR_CYCLE.length]`. */
export const PLOT_COLOR_CYCLE: readonly Rgb[] = Object.values(PLOT_COLORS);
