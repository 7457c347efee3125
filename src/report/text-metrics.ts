/**
 * Text widths for chart layout, from the advance widths of the DejaVu Sans fonts the PNGs are
 * drawn with.
 *
 * Vega lays out legends, axis titles and label truncation from text widths. With no canvas it
 * estimates 0.8 em per character, about a third wider than DejaVu Sans, which leaves wide gaps in
 * legends; with the optional `canvas` package it would measure with whatever fonts the machine
 * has, and charts would differ between machines. These tables make layout both tight and fixed.
 * Kerning is ignored (a pixel or two on a long label).
 *
 * The numbers are the fonts' horizontal advance widths (hmtx) for U+0020..U+007E, in thousandths
 * of an em (unitsPerEm 2048), read from dejavu-fonts-ttf 2.37.3 DejaVuSans.ttf and
 * DejaVuSans-Bold.ttf.
 */

// prettier-ignore
const REGULAR_ASCII = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
  636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
  752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
  337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
  635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];

// prettier-ignore
const BOLD_ASCII = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696,
  696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821,
  837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457,
  365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687,
  716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/** A few non-ASCII characters the charts use: en dash, em dash, ellipsis, minus, times, degree. */
const EXTRA: Record<string, [number, number]> = {
  '\u2013': [500, 500],
  '\u2014': [1000, 1000],
  '\u2026': [1000, 1000],
  '\u2212': [838, 838],
  '\u00d7': [838, 838],
  '\u00b0': [500, 500],
};

/** Width of anything else: a digit's advance, a fair middle for letters of other scripts. */
const FALLBACK: [number, number] = [636, 696];

export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? BOLD_ASCII : REGULAR_ASCII;
  let perMille = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code >= 32 && code < 127) perMille += table[code - 32];
    else perMille += (EXTRA[ch] ?? FALLBACK)[bold ? 1 : 0];
  }
  return (perMille * fontSize) / 1000;
}

/** The shape of a vega scenegraph text item, as far as measuring goes. */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}

/** A drop-in for vega's `textMetrics.width(item, text)`. */
export function vegaTextWidth(item: TextItem, text: unknown): number {
  const value = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || Number(weight) >= 600;
  const width = textWidth(value, size, bold);
  // Vega truncates text longer than `limit` with an ellipsis; what is drawn is at most that wide.
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
