//! A small SVG line-chart writer: one chart is a titled plot area with
//! ticked, labelled axes (linear, log10, or the percentile axis
//! 1/(1−p)), a polyline per series and a legend laid out below the axes.
//! Every chart is a complete `<svg>` element with its own `<style>`, so the
//! same text is inlined in the HTML page and written as a standalone file.
//!
//! Each series is a `<g class="series" data-series="…">` holding one
//! `<polyline>` per run of consecutive values (a missing value breaks the
//! line), which is what the tests and the browser check count.

use std::fmt::Write as _;

/// Width of every chart, px (two fit side by side in a 1280-px window).
pub const WIDTH: f64 = 620.0;
const PLOT_HEIGHT: f64 = 230.0;
const LEFT: f64 = 66.0;
/// Room for half the last x tick label ("99.999%").
const RIGHT: f64 = 32.0;
const TOP: f64 = 36.0;
/// Below the plot area: tick labels and the x-axis label.
const BELOW_PLOT: f64 = 42.0;
const LEGEND_ROW: f64 = 18.0;
const FONT_PX: f64 = 12.0;
/// An upper estimate of the mean advance of a 12-px sans-serif character:
/// text laid out with it never overlaps the next item.
const CHAR_PX: f64 = 6.9;
/// Longest legend text kept (the rest is cut, with the whole in a tooltip).
const LEGEND_CHARS: usize = 44;

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Linear,
    /// Decades; values must be positive (others are not drawn).
    Log10,
    /// Values are log10(1/(1−p)) ("nines"); ticks read as percentiles.
    Nines,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub label: String,
    pub scale: Scale,
}

/// How a line looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stroke {
    pub color: &'static str,
    /// `stroke-dasharray`, `None` for a solid line.
    pub dash: Option<&'static str>,
    pub width: f64,
    pub opacity: f64,
}

impl Stroke {
    pub fn solid(color: &'static str) -> Stroke {
        Stroke {
            color,
            dash: None,
            width: 1.6,
            opacity: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// What the series is, for `data-series` and its tooltip.
    pub name: String,
    pub stroke: Stroke,
    /// `None` where there is no value (the line breaks there).
    pub points: Vec<Option<(f64, f64)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub text: String,
    pub stroke: Stroke,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem of the standalone SVG and the element's id.
    pub id: &'static str,
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    /// Drawn in order: the first is underneath.
    pub series: Vec<Series>,
    pub legend: Vec<LegendEntry>,
    /// Written in the plot area (e.g. "no errors").
    pub note: Option<String>,
}

/// A value range of one axis, in axis units (log10 of the value on a log axis).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Domain {
    low: f64,
    high: f64,
}

impl Domain {
    fn fraction(&self, value: f64) -> f64 {
        (value - self.low) / (self.high - self.low)
    }
}

/// A tick: its position in axis units and its label.
type Tick = (f64, String);

impl Chart {
    /// The chart as a complete SVG document element.
    pub fn render(&self) -> String {
        let legend_rows = legend_layout(&self.legend);
        let rows = legend_rows.last().map_or(0, |item| item.row + 1);
        let height = TOP + PLOT_HEIGHT + BELOW_PLOT + rows as f64 * LEGEND_ROW + 8.0;
        let plot_width = WIDTH - LEFT - RIGHT;
        let (x_domain, x_ticks) = axis_ticks(&self.x, self.values(|p| p.0), true);
        let (y_domain, y_ticks) = axis_ticks(&self.y, self.values(|p| p.1), false);

        let mut svg = String::with_capacity(8192);
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-title">"#,
            id = self.id,
        );
        svg.push_str(STYLE);
        let _ = write!(
            svg,
            r#"<title id="{}-title">{}</title><rect class="bg" width="{WIDTH}" height="{height}"/>"#,
            self.id,
            escape(&self.title)
        );
        let _ = write!(
            svg,
            r#"<text class="title" x="{LEFT}" y="22">{}</text>"#,
            escape(&fit(
                &self.title,
                ((WIDTH - LEFT) / (CHAR_PX * 1.2)) as usize
            ))
        );

        // Grid and ticks.
        let bottom = TOP + PLOT_HEIGHT;
        svg.push_str(r#"<g class="axis x">"#);
        for (value, label) in &x_ticks {
            let px = LEFT + x_domain.fraction(*value) * plot_width;
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom}"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                bottom + 16.0,
                escape(label)
            );
        }
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
            LEFT + plot_width / 2.0,
            bottom + 34.0,
            escape(&self.x.label)
        );
        svg.push_str(r#"<g class="axis y">"#);
        for (value, label) in &y_ticks {
            let py = bottom - y_domain.fraction(*value) * PLOT_HEIGHT;
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT + plot_width,
                LEFT - 6.0,
                py + 4.0,
                escape(label)
            );
        }
        let _ = write!(
            svg,
            r#"<text class="label" transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text></g>"#,
            TOP + PLOT_HEIGHT / 2.0,
            escape(&self.y.label)
        );
        let _ = write!(
            svg,
            r#"<rect class="frame" x="{LEFT}" y="{TOP}" width="{plot_width:.1}" height="{PLOT_HEIGHT}"/>"#
        );

        // Data, clipped to the plot area.
        let _ = write!(
            svg,
            r#"<clipPath id="{id}-clip"><rect x="{LEFT}" y="{TOP}" width="{plot_width:.1}" height="{PLOT_HEIGHT}"/></clipPath><g class="data" clip-path="url(#{id}-clip)">"#,
            id = self.id
        );
        for series in &self.series {
            let _ = write!(
                svg,
                r#"<g class="series" data-series="{name}"{style}><title>{name}</title>"#,
                name = escape(&series.name),
                style = stroke_attributes(&series.stroke),
            );
            for run in series.points.split(Option::is_none) {
                let points: Vec<String> = run
                    .iter()
                    .flatten()
                    .filter_map(|&(x, y)| {
                        let fx = position(&self.x.scale, x_domain, x)?;
                        let fy = position(&self.y.scale, y_domain, y)?;
                        Some(format!(
                            "{:.1},{:.1}",
                            LEFT + fx * plot_width,
                            bottom - fy * PLOT_HEIGHT
                        ))
                    })
                    .collect();
                if !points.is_empty() {
                    let _ = write!(svg, r#"<polyline points="{}"/>"#, points.join(" "));
                }
            }
            svg.push_str("</g>");
        }
        svg.push_str("</g>");
        if let Some(note) = &self.note {
            let _ = write!(
                svg,
                r#"<text class="note" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                LEFT + plot_width / 2.0,
                TOP + PLOT_HEIGHT / 2.0,
                escape(note)
            );
        }

        // Legend.
        svg.push_str(r#"<g class="legend">"#);
        for item in &legend_rows {
            let y = bottom + BELOW_PLOT + 6.0 + item.row as f64 * LEGEND_ROW;
            let entry = &self.legend[item.index];
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"{}/>"#,
                item.x + SWATCH,
                stroke_attributes(&entry.stroke),
                x = item.x,
            );
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}">{}<title>{}</title></text>"#,
                item.x + SWATCH + 5.0,
                y + 4.0,
                escape(&fit(&entry.text, LEGEND_CHARS)),
                escape(&entry.text)
            );
        }
        svg.push_str("</g></svg>");
        svg
    }

    fn values(&self, coordinate: impl Fn((f64, f64)) -> f64) -> Vec<f64> {
        self.series
            .iter()
            .flat_map(|s| s.points.iter().flatten().map(|&p| coordinate(p)))
            .filter(|v| v.is_finite())
            .collect()
    }
}

const STYLE: &str = "<style>\
.chart{font-family:sans-serif;font-size:12px}\
.chart .bg{fill:#fff}\
.chart .title{font-size:14px;font-weight:bold}\
.chart .label{font-size:12px}\
.chart .axis text{fill:#333}\
.chart .grid{stroke:#e4e4e4;stroke-width:1}\
.chart .frame{fill:none;stroke:#888;stroke-width:1}\
.chart .series polyline{fill:none;stroke-linejoin:round;stroke-linecap:round}\
.chart .note{fill:#777;font-size:13px}\
</style>";

const SWATCH: f64 = 26.0;

fn stroke_attributes(stroke: &Stroke) -> String {
    let mut text = format!(
        r#" stroke="{}" stroke-width="{}""#,
        stroke.color, stroke.width
    );
    if let Some(dash) = stroke.dash {
        let _ = write!(text, r#" stroke-dasharray="{dash}""#);
    }
    if stroke.opacity < 1.0 {
        let _ = write!(text, r#" stroke-opacity="{}""#, stroke.opacity);
    }
    text
}

/// Where a legend entry goes: its row and left edge.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LegendItem {
    index: usize,
    row: usize,
    x: f64,
}

/// Entries flow left to right and wrap, each as wide as its (estimated) text.
fn legend_layout(entries: &[LegendEntry]) -> Vec<LegendItem> {
    let (start, end) = (LEFT - 40.0, WIDTH - RIGHT);
    let mut items = Vec::with_capacity(entries.len());
    let (mut row, mut x) = (0, start);
    for (index, entry) in entries.iter().enumerate() {
        let width = SWATCH + 5.0 + text_width(&fit(&entry.text, LEGEND_CHARS)) + 16.0;
        if x + width > end && x > start {
            row += 1;
            x = start;
        }
        items.push(LegendItem { index, row, x });
        x += width;
    }
    items
}

/// An upper estimate of the width of `text` at the chart's font size, px.
pub fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_PX * FONT_PX / 12.0
}

/// `text` cut to `chars` characters, with "…" where it was cut.
fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            // Control characters are not allowed in XML.
            c if c.is_control() && c != '\n' && c != '\t' => escaped.push('\u{fffd}'),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A value's position along the axis, 0 to 1 (beyond when out of range),
/// or `None` when the axis cannot show it.
fn position(scale: &Scale, domain: Domain, value: f64) -> Option<f64> {
    let value = match scale {
        Scale::Log10 if value > 0.0 => value.log10(),
        Scale::Log10 => return None,
        Scale::Linear | Scale::Nines => value,
    };
    value.is_finite().then(|| domain.fraction(value))
}

/// The axis range covering `values` and its ticks. Linear axes start at 0
/// and end on a tick; `integer` axes (time) tick whole numbers only.
fn axis_ticks(axis: &Axis, values: Vec<f64>, integer: bool) -> (Domain, Vec<Tick>) {
    match axis.scale {
        Scale::Linear => {
            let high = values.iter().copied().fold(0.0_f64, f64::max);
            // Headroom above the highest value, so a line along it stays
            // clear of the frame.
            let headroom = if integer { 1.0 } else { 1.04 };
            linear_ticks(if high > 0.0 { high * headroom } else { 1.0 }, integer)
        }
        Scale::Log10 => {
            let positive = values.iter().copied().filter(|v| *v > 0.0);
            let low = positive.clone().fold(f64::INFINITY, f64::min);
            let high = positive.fold(0.0_f64, f64::max);
            if !low.is_finite() {
                return log_ticks(0.1, 1.0);
            }
            log_ticks(low, high)
        }
        Scale::Nines => {
            let high = values.iter().copied().fold(0.0_f64, f64::max);
            let decades = high.ceil().clamp(2.0, 9.0);
            let ticks = (0..=decades as u32)
                .map(|nines| (f64::from(nines), percentile_tick_label(nines)))
                .collect();
            (
                Domain {
                    low: 0.0,
                    high: decades,
                },
                ticks,
            )
        }
    }
}

/// 0 → "0%", 1 → "90%", 2 → "99%", 3 → "99.9%", …
fn percentile_tick_label(nines: u32) -> String {
    match nines {
        0 => "0%".to_string(),
        1 => "90%".to_string(),
        n => format!("99.{}%", "9".repeat(n as usize - 2)).replace(".%", "%"),
    }
}

/// Ticks 0, step, 2·step, … up to the first at or above `high`, with a
/// step of 1, 2 or 5 times a power of ten giving 4 to 8 intervals.
fn linear_ticks(high: f64, integer: bool) -> (Domain, Vec<Tick>) {
    let raw = high / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| high / s <= 8.0)
        .unwrap_or(10.0 * magnitude);
    if integer {
        step = step.max(1.0).round();
    }
    let count = (high / step - 1e-9).ceil().max(1.0) as u32;
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let ticks = (0..=count)
        .map(|i| {
            let value = f64::from(i) * step;
            (value, format!("{value:.decimals$}"))
        })
        .collect();
    (
        Domain {
            low: 0.0,
            high: f64::from(count) * step,
        },
        ticks,
    )
}

/// Decade ticks from below `low` to above `high` (with 2 and 5 between
/// when the range spans two decades or fewer); the domain is in log10 units.
fn log_ticks(low: f64, high: f64) -> (Domain, Vec<Tick>) {
    let first = low.log10().floor();
    let mut last = high.log10().ceil();
    if last <= first {
        last = first + 1.0;
    }
    let decades = (last - first) as i32;
    let mut ticks = Vec::new();
    for decade in first as i32..=last as i32 {
        let multipliers: &[f64] = if decades <= 2 {
            &[1.0, 2.0, 5.0]
        } else {
            &[1.0]
        };
        for m in multipliers {
            let value = m * 10f64.powi(decade);
            let at = value.log10();
            if at <= last + 1e-9 {
                ticks.push((at, number_label(value)));
            }
        }
    }
    (
        Domain {
            low: first,
            high: last,
        },
        ticks,
    )
}

/// A tick value without trailing zeros: 0.001, 0.5, 20, 10000.
fn number_label(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(points: Vec<Option<(f64, f64)>>) -> Chart {
        Chart {
            id: "test",
            title: "A <test> & chart".to_string(),
            x: Axis {
                label: "time [s]".to_string(),
                scale: Scale::Linear,
            },
            y: Axis {
                label: "replies/s".to_string(),
                scale: Scale::Linear,
            },
            series: vec![Series {
                name: "replies/s".to_string(),
                stroke: Stroke::solid("#000"),
                points,
            }],
            legend: vec![LegendEntry {
                text: "replies/s".to_string(),
                stroke: Stroke::solid("#000"),
            }],
            note: None,
        }
    }

    #[test]
    fn gaps_split_the_line_and_text_is_escaped() {
        let svg = chart(vec![
            Some((0.0, 1.0)),
            None,
            Some((2.0, 3.0)),
            Some((3.0, 0.0)),
        ])
        .render();
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert!(svg.contains("A &lt;test&gt; &amp; chart"));
        assert!(!svg.contains("<test>"));
    }

    #[test]
    fn linear_ticks_are_round_and_cover_the_data() {
        let (domain, ticks) = linear_ticks(397.0, true);
        assert_eq!(domain.high, 400.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0", "100", "200", "300", "400"]);
        let (domain, ticks) = linear_ticks(0.37, false);
        assert!(domain.high >= 0.37 && ticks.len() <= 9, "{ticks:?}");
        assert_eq!(ticks[1].1, "0.05");
        let (_, ticks) = linear_ticks(3.0, true);
        assert!(ticks.iter().all(|t| t.0.fract() == 0.0), "{ticks:?}");
    }

    #[test]
    fn log_and_percentile_ticks() {
        let (domain, ticks) = log_ticks(0.15, 22.0);
        assert_eq!((domain.low, domain.high), (-1.0, 2.0));
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0.1", "1", "10", "100"]);
        let (_, ticks) = log_ticks(2.0, 30.0);
        assert_eq!(ticks.len(), 7, "{ticks:?}");
        let labels: Vec<String> = (0..5).map(percentile_tick_label).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%"]);
    }

    #[test]
    fn legend_entries_wrap_without_overlapping() {
        let entries: Vec<LegendEntry> = (0..12)
            .map(|i| LegendEntry {
                text: format!("a fairly long legend entry number {i}"),
                stroke: Stroke::solid("#000"),
            })
            .collect();
        let items = legend_layout(&entries);
        assert!(items.last().is_some_and(|item| item.row > 2));
        for pair in items.windows(2) {
            if pair[0].row == pair[1].row {
                let text = &entries[pair[0].index].text;
                assert!(pair[0].x + SWATCH + 5.0 + text_width(text) < pair[1].x);
            }
        }
        for item in &items {
            let text = fit(&entries[item.index].text, LEGEND_CHARS);
            assert!(item.x + SWATCH + 5.0 + text_width(&text) <= WIDTH);
        }
    }
}
