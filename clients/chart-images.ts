/**
 * The report's charts as PNG images for mail clients that do not render inline SVG (Gmail, Outlook): the same SVG,
 * rendered by resvg (@resvg/resvg-js, a prebuilt binary inside the npm package) at twice its size for sharp screens.
 */
import { Resvg } from '@resvg/resvg-js';
import type { ReportChart } from '../domain/reports/report-html';

export const CHART_SCALE = 2;

export interface ChartImage {
  chart: ReportChart;
  png: Buffer;
  /** The image's size in CSS pixels (the PNG has CHART_SCALE times as many). */
  width: number;
  height: number;
}

export function renderChartPng(chart: ReportChart): ChartImage {
  const resvg = new Resvg(chart.svg, {
    fitTo: { mode: 'zoom', value: CHART_SCALE },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  const image = resvg.render();
  return {
    chart,
    png: image.asPng(),
    width: Math.round(image.width / CHART_SCALE),
    height: Math.round(image.height / CHART_SCALE),
  };
}
