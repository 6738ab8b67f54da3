import { html, type SafeHtml } from './html.js';

/** Widest bar in SVG user units; the bars scale to the largest count in the chart. */
const BAR_WIDTH = 120;
const BAR_HEIGHT = 14;

export interface BarChartRows {
  /** What the table is about, read first by a screen reader. */
  readonly caption: string;
  /** The heading of the first column, e.g. "Week from". */
  readonly rowHeading: string;
  readonly columns: readonly string[];
  readonly rows: readonly { readonly label: string; readonly values: readonly number[] }[];
}

/**
 * A bar chart that is a table: every number is printed, so the table is its own text alternative, and
 * each cell carries a bar drawn with inline SVG. The bar's width is an SVG attribute, not a `style`, so
 * the app's policy (`style-src 'self'`, no inline styles, no script) holds; the SVG is hidden from
 * assistive technology because the number beside it already says everything.
 */
export function barChart(chart: BarChartRows): SafeHtml {
  const max = Math.max(1, ...chart.rows.flatMap((row) => row.values));
  return html`<div class="table-wrap" role="region" aria-label="${chart.caption}" tabindex="0"><table class="chart">
<caption>${chart.caption}</caption>
<thead><tr><th scope="col">${chart.rowHeading}</th>${chart.columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
<tbody>
${chart.rows.map(
  (row) => html`<tr><th scope="row">${row.label}</th>${row.values.map((value) => html`<td><span class="count">${value}</span> ${bar(value, max)}</td>`)}</tr>
`,
)}</tbody></table></div>`;
}

function bar(value: number, max: number): SafeHtml {
  // A count above zero always shows at least a sliver, so a small number is not mistaken for none.
  const width = value === 0 ? 0 : Math.max(2, Math.round((value / max) * BAR_WIDTH));
  return html`<svg class="bar" aria-hidden="true" focusable="false" width="${BAR_WIDTH}" height="${BAR_HEIGHT}" viewBox="0 0 ${BAR_WIDTH} ${BAR_HEIGHT}"><rect width="${width}" height="${BAR_HEIGHT}"></rect></svg>`;
}
