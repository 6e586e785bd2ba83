//! Renders a [`Printable`] report as a PDF to email or print, and as CSV for a spreadsheet.
//!
//! **PDF** ([`to_pdf`]): A4 portrait, 20 mm margins, DejaVu Sans Condensed (regular and bold,
//! from `assets/fonts/`) embedded as a subset holding only the glyphs used, with a Unicode map
//! so text copies and extracts correctly ("Nação Zumbi", "€"). Text is measured with the
//! font's own advance widths, so right-aligned numbers line up exactly. Long cells wrap inside
//! their column (or end in "…" for [`Overflow::Truncate`] columns); a table that runs past the
//! page goes on on the next one under its repeated header row; every page has the report's
//! footer and "Page N of M". Characters outside the font (CJK, emoji) print as a blank box.
//!
//! **CSV** ([`to_csv`]): UTF-8 with a byte-order mark (so spreadsheets read "ã" right),
//! rows of varying length: the title, each subtitle and each field (`label,value`), then for
//! every table a blank line, its section heading, its header row (when it has one), its rows
//! and its totals row. Paragraphs are not in the CSV. Cells are neutralised against CSV
//! injection by the same rule as the catalog export ([`csv_export::encode_cell`]): text a
//! spreadsheet could run as a formula (`=…`, `+…`, `-…`, `@…`) gets one `'` in front, and so
//! does text already starting with `'`; a plain decimal number such as `-12.50` or `-1,500.00`
//! stays a number. So write amounts in table cells as plain numbers with the currency in the
//! column header ("Royalty (€)"): `-€12.50` would be neutralised to `'-€12.50`.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, GlyphId, MetadataProvider};
use subsetter::GlyphRemapper;
use thiserror::Error;

use super::csv_export;
use super::json::{Affinity, Cell, ColumnSchema};
use crate::model::printable::{Align, Block, Overflow, Printable, PrintableError, Table};

/// Why a report could not be written as PDF.
#[derive(Debug, Error)]
pub enum PdfError {
    #[error("cannot print the report: {0}")]
    Invalid(#[from] PrintableError),
    #[error("the report font {font} cannot be used: {reason}")]
    Font { font: &'static str, reason: String },
    #[error("cannot compress the PDF: {0}")]
    Compress(#[from] std::io::Error),
}

// ---------------------------------------------------------------------------------------------
// Page geometry and type, in PDF points (1/72 inch), measured from the top-left corner.

/// A4 portrait.
pub const PAGE_WIDTH: f32 = 595.276;
pub const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm.
const MARGIN: f32 = 56.693;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const CONTENT_TOP: f32 = MARGIN;
/// Lowest point of the body; the footer sits below it.
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 64.0;
const RUNNING_HEAD_BASELINE: f32 = 38.0;
const FOOTER_RULE: f32 = PAGE_HEIGHT - 48.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 34.0;

const CELL_PAD_X: f32 = 5.0;
const CELL_PAD_Y: f32 = 2.25;
/// Narrowest a text column gets (before padding) while others need room.
const MIN_TEXT_COLUMN: f32 = 48.0;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(f32, f32, f32);

const INK: Rgb = Rgb(0.11, 0.11, 0.12);
const MUTED: Rgb = Rgb(0.38, 0.39, 0.42);
const ACCENT: Rgb = Rgb(0.11, 0.24, 0.42);
const RULE: Rgb = Rgb(0.80, 0.81, 0.83);
const HEADER_FILL: Rgb = Rgb(0.91, 0.92, 0.94);
const TOTALS_FILL: Rgb = Rgb(0.96, 0.96, 0.97);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// Font, size, colour and line height of one kind of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    weight: Weight,
    size: f32,
    color: Rgb,
    leading: f32,
}

const TITLE: Style = Style {
    weight: Weight::Bold,
    size: 18.0,
    color: INK,
    leading: 22.0,
};
const SUBTITLE: Style = Style {
    weight: Weight::Regular,
    size: 11.0,
    color: MUTED,
    leading: 14.5,
};
const FIELD_LABEL: Style = Style {
    weight: Weight::Bold,
    size: 8.5,
    color: MUTED,
    leading: 13.0,
};
const FIELD_VALUE: Style = Style {
    weight: Weight::Regular,
    size: 9.5,
    color: INK,
    leading: 13.0,
};
const HEADING: Style = Style {
    weight: Weight::Bold,
    size: 12.0,
    color: ACCENT,
    leading: 16.0,
};
const BODY: Style = Style {
    weight: Weight::Regular,
    size: 9.5,
    color: INK,
    leading: 13.0,
};
const CELL: Style = Style {
    weight: Weight::Regular,
    size: 8.5,
    color: INK,
    leading: 10.0,
};
const CELL_BOLD: Style = Style {
    weight: Weight::Bold,
    ..CELL
};
const SMALL: Style = Style {
    weight: Weight::Regular,
    size: 7.5,
    color: MUTED,
    leading: 10.0,
};

// ---------------------------------------------------------------------------------------------
// Fonts

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

/// One embedded font: its bytes, character map and advance widths.
struct Face {
    name: &'static str,
    data: &'static [u8],
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Baseline to top / bottom of the line box, in ems (descent is positive here).
    ascent: f32,
    descent: f32,
    cap_height: f32,
    /// xMin, yMin, xMax, yMax in font units.
    bbox: [f32; 4],
    /// Dominant vertical stem width in PDF glyph units, for the font descriptor.
    stem_v: f32,
}

impl Face {
    fn load(name: &'static str, data: &'static [u8], stem_v: f32) -> Result<Self, PdfError> {
        let font = FontRef::new(data).map_err(|e| PdfError::Font {
            font: name,
            reason: e.to_string(),
        })?;
        let m = font.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(m.units_per_em);
        let bbox = m
            .bounds
            .map_or([0.0, -0.25, 1.0, 1.0].map(|v| v * units_per_em), |b| {
                [b.x_min, b.y_min, b.x_max, b.y_max]
            });
        Ok(Self {
            name,
            data,
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: m.ascent / units_per_em,
            descent: -m.descent / units_per_em,
            cap_height: m.cap_height.unwrap_or(m.ascent * 0.7),
            bbox,
            stem_v,
        })
    }

    /// The glyph for `c`, or glyph 0 (the "missing" box) when the font has none.
    fn glyph(&self, c: char) -> GlyphId {
        self.charmap.map(c).unwrap_or(GlyphId::NOTDEF)
    }

    /// Advance width of glyph `g` in ems.
    fn advance(&self, g: GlyphId) -> f32 {
        self.metrics.advance_width(g).unwrap_or(0.0) / self.units_per_em
    }

    /// Width of `text` set at `size` points, in points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
    }

    /// In PDF glyph space (1000 units per em).
    fn pdf_units(&self, font_units: f32) -> f32 {
        font_units * 1000.0 / self.units_per_em
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Face::load("DejaVuSansCondensed", REGULAR_TTF, 80.0)?,
            bold: Face::load("DejaVuSansCondensed-Bold", BOLD_TTF, 140.0)?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn width(&self, text: &str, style: Style) -> f32 {
        self.face(style.weight).width(text, style.size)
    }

    /// Distance from the top of a line box to its baseline: the glyphs' ascent and descent
    /// centred in the leading.
    fn baseline_offset(&self, style: Style) -> f32 {
        let face = self.face(style.weight);
        let ink = (face.ascent + face.descent) * style.size;
        (style.leading - ink) / 2.0 + face.ascent * style.size
    }

    /// `text` broken into lines no wider than `width`: at spaces, inside a word only when the
    /// word alone is too wide, and at every `\n`.
    fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style.weight);
        let space = face.width(" ", style.size);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split_whitespace() {
                let word_width = face.width(word, style.size);
                if !line.is_empty() && line_width + space + word_width <= width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word starts a line; cut it where it overflows.
                line_width = 0.0;
                for c in word.chars() {
                    let w = face.width(c.encode_utf8(&mut [0; 4]), style.size);
                    if !line.is_empty() && line_width + w > width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += w;
                }
            }
            lines.push(line);
        }
        lines
    }

    /// [`Self::wrap`], keeping the first `max_lines` lines, the last one ending in "…" when
    /// lines were dropped.
    fn wrap_at_most(&self, text: &str, style: Style, width: f32, max_lines: usize) -> Vec<String> {
        let mut lines = self.wrap(text, style, width);
        if lines.len() > max_lines {
            lines.truncate(max_lines.max(1));
            let last = lines.pop().unwrap_or_default();
            lines.push(self.ellipsize(&format!("{last} …"), style, width));
        }
        lines
    }

    /// `text` on one line, cut to fit `width` and ended with "…" when it was cut.
    fn ellipsize(&self, text: &str, style: Style, width: f32) -> String {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if self.width(&text, style) <= width {
            return text;
        }
        let face = self.face(style.weight);
        let mut room = width - face.width("…", style.size);
        let mut out = String::new();
        for c in text.chars() {
            let w = face.width(c.encode_utf8(&mut [0; 4]), style.size);
            if w > room {
                break;
            }
            room -= w;
            out.push(c);
        }
        out.truncate(out.trim_end().len());
        out.push('…');
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: the report as drawing operations on pages, y measured down from the top.

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
    },
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Rgb,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        thickness: f32,
        color: Rgb,
    },
}

struct Layout<'a> {
    fonts: &'a Fonts,
    doc: &'a Printable,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    y: f32,
}

/// A table's columns once placed: left edges and widths.
struct Columns {
    x: Vec<f32>,
    width: Vec<f32>,
}

impl<'a> Layout<'a> {
    fn new(fonts: &'a Fonts, doc: &'a Printable) -> Self {
        let mut layout = Self {
            fonts,
            doc,
            pages: Vec::new(),
            y: CONTENT_TOP,
        };
        layout.new_page();
        layout
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a page; from the second page on, with the title (and first subtitle) in small
    /// type above a rule.
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
        if self.pages.len() > 1 {
            let half = CONTENT_WIDTH / 2.0 - 10.0;
            let title = self.fonts.ellipsize(&self.doc.title, SMALL, half);
            self.text(MARGIN, RUNNING_HEAD_BASELINE, SMALL, title);
            if let Some(sub) = self.doc.subtitles.first() {
                let sub = self.fonts.ellipsize(sub, SMALL, half);
                let x = MARGIN + CONTENT_WIDTH - self.fonts.width(&sub, SMALL);
                self.text(x, RUNNING_HEAD_BASELINE, SMALL, sub);
            }
            self.rule(
                MARGIN,
                MARGIN + CONTENT_WIDTH,
                RUNNING_HEAD_BASELINE + 5.0,
                0.4,
                RULE,
            );
        }
    }

    fn at_page_top(&self) -> bool {
        self.y <= CONTENT_TOP
    }

    /// Moves to a new page unless `height` more fits on this one (or this page is empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > CONTENT_BOTTOM && !self.at_page_top() {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, baseline: f32, style: Style, text: String) {
        if !text.is_empty() {
            self.ops().push(Op::Text {
                x,
                baseline,
                style,
                text,
            });
        }
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, color: Rgb) {
        self.ops().push(Op::Rule {
            x1,
            x2,
            y,
            thickness,
            color,
        });
    }

    fn fill(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb) {
        self.ops().push(Op::Fill {
            x,
            y,
            width,
            height,
            color,
        });
    }

    /// One line of text in a line box at the current y, then below it.
    fn line(&mut self, x: f32, style: Style, text: String) {
        self.ensure(style.leading);
        let baseline = self.y + self.fonts.baseline_offset(style);
        self.text(x, baseline, style, text);
        self.y += style.leading;
    }

    fn lines(&mut self, text: &str, style: Style) {
        for line in self.fonts.wrap(text, style, CONTENT_WIDTH) {
            self.line(MARGIN, style, line);
        }
    }

    fn document(mut self) -> Vec<Vec<Op>> {
        let doc = self.doc;
        self.lines(&doc.title, TITLE);
        for subtitle in &doc.subtitles {
            self.lines(subtitle, SUBTITLE);
        }
        self.y += 8.0;
        self.rule(MARGIN, MARGIN + CONTENT_WIDTH, self.y, 1.2, ACCENT);
        self.y += 10.0;
        self.fields();
        for section in &doc.sections {
            self.section(&section.heading, &section.blocks);
        }
        self.footers();
        self.pages
    }

    /// The label/value block: labels in a column as wide as the widest (at most a third of
    /// the page), values wrapped beside them.
    fn fields(&mut self) {
        let (fonts, doc) = (self.fonts, self.doc);
        let fields = &doc.fields;
        if fields.is_empty() {
            return;
        }
        let label_width = fields
            .iter()
            .map(|(label, _)| fonts.width(label, FIELD_LABEL))
            .fold(0.0, f32::max)
            .min(CONTENT_WIDTH / 3.0)
            + 14.0;
        for (label, value) in fields {
            let labels = fonts.wrap(label, FIELD_LABEL, label_width - 14.0);
            let values = fonts.wrap(value, FIELD_VALUE, CONTENT_WIDTH - label_width);
            let rows = labels.len().max(values.len());
            self.ensure(rows as f32 * FIELD_VALUE.leading);
            let top = self.y;
            // Labels sit on the values' baselines.
            let offset = fonts.baseline_offset(FIELD_VALUE);
            for (i, line) in labels.into_iter().enumerate() {
                let baseline = top + i as f32 * FIELD_VALUE.leading + offset;
                self.text(MARGIN, baseline, FIELD_LABEL, line);
            }
            for (i, line) in values.into_iter().enumerate() {
                let baseline = top + i as f32 * FIELD_VALUE.leading + offset;
                self.text(MARGIN + label_width, baseline, FIELD_VALUE, line);
            }
            self.y = top + rows as f32 * FIELD_VALUE.leading;
        }
        self.y += 4.0;
    }

    fn section(&mut self, heading: &str, blocks: &[Block]) {
        // Keep the heading with at least a few lines of what follows.
        let heading_lines = self.fonts.wrap(heading, HEADING, CONTENT_WIDTH);
        let heading_height = heading_lines.len() as f32 * HEADING.leading + 8.0;
        self.ensure(16.0 + heading_height + 3.0 * BODY.leading);
        if !self.at_page_top() {
            self.y += 16.0;
        }
        for line in heading_lines {
            self.line(MARGIN, HEADING, line);
        }
        self.y += 2.0;
        self.rule(MARGIN, MARGIN + CONTENT_WIDTH, self.y, 0.5, RULE);
        self.y += 6.0;
        for (i, block) in blocks.iter().enumerate() {
            if i > 0 {
                self.y += 8.0;
            }
            match block {
                Block::Paragraph(text) => self.lines(text, BODY),
                Block::Table(table) => self.table(heading, table),
            }
        }
    }

    /// Column widths. Each column has a natural width (its widest cell, header or total on
    /// one line) and a minimum: a number column never wraps its cells (only its header, at
    /// spaces), a text column needs its longest word, a truncating column very little.
    /// When the natural widths fit, the spare room goes to the text columns; otherwise every
    /// column starts at its minimum and the rest is shared fairly up to the natural widths.
    /// Only when even the minimums do not fit are all columns shrunk alike.
    fn columns(&self, table: &Table) -> Columns {
        let fonts = self.fonts;
        let n = table.columns.len();
        let pad = 2.0 * CELL_PAD_X;
        let mut natural = vec![0.0_f32; n];
        let mut line = vec![0.0_f32; n];
        let mut word = vec![0.0_f32; n];
        let mut measure = |row: &[String], style: Style, is_header: bool| {
            for (i, cell) in row.iter().enumerate().take(n) {
                for text in cell.split('\n') {
                    let w = fonts.width(text.trim(), style);
                    natural[i] = natural[i].max(w);
                    if !is_header {
                        line[i] = line[i].max(w);
                    }
                }
                for text in cell.split_whitespace() {
                    word[i] = word[i].max(fonts.width(text, style));
                }
            }
        };
        if table.has_header() {
            let headers: Vec<String> = table.columns.iter().map(|c| c.header.clone()).collect();
            measure(&headers, CELL_BOLD, true);
        }
        for row in &table.rows {
            measure(row, CELL, false);
        }
        if let Some(totals) = &table.totals {
            measure(totals, CELL_BOLD, false);
        }
        let natural: Vec<f32> = natural.iter().map(|w| w + pad).collect();
        let minimum: Vec<f32> = (0..n)
            .map(|i| {
                let column = &table.columns[i];
                let least = match (column.overflow, column.align) {
                    (Overflow::Truncate, _) => MIN_TEXT_COLUMN,
                    (Overflow::Wrap, Align::Right) => line[i].max(word[i]),
                    (Overflow::Wrap, Align::Left) => word[i].max(MIN_TEXT_COLUMN),
                };
                natural[i].min(least + pad)
            })
            .collect();
        let total: f32 = natural.iter().sum();
        let least: f32 = minimum.iter().sum();
        let width: Vec<f32> = if total <= CONTENT_WIDTH {
            let is_text = |i: usize| table.columns[i].align == Align::Left;
            let growable: f32 = (0..n).filter(|&i| is_text(i)).map(|i| natural[i]).sum();
            let spare = CONTENT_WIDTH - total;
            (0..n)
                .map(|i| {
                    if growable > 0.0 {
                        natural[i]
                            + if is_text(i) {
                                spare * natural[i] / growable
                            } else {
                                0.0
                            }
                    } else {
                        natural[i] + spare * natural[i] / total
                    }
                })
                .collect()
        } else if least <= CONTENT_WIDTH {
            share_out(&minimum, &natural, CONTENT_WIDTH - least)
        } else {
            minimum.iter().map(|w| w * CONTENT_WIDTH / least).collect()
        };
        let mut x = Vec::with_capacity(n);
        let mut left = MARGIN;
        for w in &width {
            x.push(left);
            left += w;
        }
        Columns { x, width }
    }

    /// The lines of each cell of `row` in its column, at most `max_lines` per cell.
    fn cell_lines(
        &self,
        table: &Table,
        columns: &Columns,
        row: &[String],
        style: Style,
        max_lines: usize,
    ) -> Vec<Vec<String>> {
        row.iter()
            .zip(&table.columns)
            .zip(&columns.width)
            .map(|((cell, column), width)| {
                let inner = width - 2.0 * CELL_PAD_X;
                match column.overflow {
                    Overflow::Truncate => vec![self.fonts.ellipsize(cell, style, inner)],
                    Overflow::Wrap => self.fonts.wrap_at_most(cell, style, inner, max_lines),
                }
            })
            .collect()
    }

    fn row_height(cells: &[Vec<String>]) -> f32 {
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        lines as f32 * CELL.leading + 2.0 * CELL_PAD_Y
    }

    /// Draws one row's cells at the current y (fill first, then text), then moves below it.
    fn draw_row(
        &mut self,
        table: &Table,
        columns: &Columns,
        cells: Vec<Vec<String>>,
        style: Style,
        fill: Option<Rgb>,
    ) {
        let height = Self::row_height(&cells);
        if let Some(color) = fill {
            self.fill(MARGIN, self.y, CONTENT_WIDTH, height, color);
        }
        let offset = CELL_PAD_Y + self.fonts.baseline_offset(style);
        for (i, lines) in cells.into_iter().enumerate() {
            let (left, width) = (columns.x[i], columns.width[i]);
            for (j, line) in lines.into_iter().enumerate() {
                let baseline = self.y + offset + j as f32 * style.leading;
                let x = match table.columns[i].align {
                    Align::Left => left + CELL_PAD_X,
                    Align::Right => left + width - CELL_PAD_X - self.fonts.width(&line, style),
                };
                self.text(x, baseline, style, line);
            }
        }
        self.y += height;
    }

    fn table(&mut self, heading: &str, table: &Table) {
        let columns = self.columns(table);
        // Header cells always wrap (at most three lines), even in truncating columns.
        let header = table.has_header().then(|| {
            table
                .columns
                .iter()
                .zip(&columns.width)
                .map(|(column, width)| {
                    let inner = width - 2.0 * CELL_PAD_X;
                    self.fonts.wrap_at_most(&column.header, CELL_BOLD, inner, 3)
                })
                .collect::<Vec<_>>()
        });
        let header_height = header.as_ref().map_or(0.0, |h| Self::row_height(h));
        let continued = SMALL.leading + 2.0;
        // A row never needs more than an empty page (below a repeated header) can hold.
        let page_room = CONTENT_BOTTOM - CONTENT_TOP - continued - header_height;
        let max_lines = ((page_room - 2.0 * CELL_PAD_Y) / CELL.leading)
            .floor()
            .max(1.0);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let max_lines = max_lines as usize;

        let draw_header = |layout: &mut Self| {
            if let Some(cells) = header.clone() {
                layout.draw_row(table, &columns, cells, CELL_BOLD, Some(HEADER_FILL));
            }
        };
        let break_page = |layout: &mut Self| {
            layout.new_page();
            let label = format!("{heading} (continued)");
            let label = layout.fonts.ellipsize(&label, SMALL, CONTENT_WIDTH);
            layout.line(MARGIN, SMALL, label);
            layout.y += 2.0;
            draw_header(layout);
        };

        let first = table.rows.first().map_or(0.0, |r| {
            Self::row_height(&self.cell_lines(table, &columns, r, CELL, max_lines))
        });
        self.ensure(header_height + first);
        draw_header(self);
        for row in &table.rows {
            let cells = self.cell_lines(table, &columns, row, CELL, max_lines);
            if self.y + Self::row_height(&cells) > CONTENT_BOTTOM {
                break_page(self);
            }
            self.draw_row(table, &columns, cells, CELL, None);
            self.rule(MARGIN, MARGIN + CONTENT_WIDTH, self.y, 0.35, RULE);
        }
        if let Some(totals) = &table.totals {
            let cells = self.cell_lines(table, &columns, totals, CELL_BOLD, max_lines);
            if self.y + Self::row_height(&cells) > CONTENT_BOTTOM {
                break_page(self);
            }
            self.rule(MARGIN, MARGIN + CONTENT_WIDTH, self.y, 0.9, INK);
            self.draw_row(table, &columns, cells, CELL_BOLD, Some(TOTALS_FILL));
        }
    }

    /// The footer line and "Page N of M" on every page, once the page count is known.
    fn footers(&mut self) {
        let count = self.pages.len();
        let (fonts, doc) = (self.fonts, self.doc);
        let footer = &doc.footer;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = format!("Page {} of {count}", i + 1);
            let number_width = fonts.width(&number, SMALL);
            page.push(Op::Rule {
                x1: MARGIN,
                x2: MARGIN + CONTENT_WIDTH,
                y: FOOTER_RULE,
                thickness: 0.4,
                color: RULE,
            });
            if !footer.is_empty() {
                page.push(Op::Text {
                    x: MARGIN,
                    baseline: FOOTER_BASELINE,
                    style: SMALL,
                    text: fonts.ellipsize(footer, SMALL, CONTENT_WIDTH - number_width - 20.0),
                });
            }
            page.push(Op::Text {
                x: MARGIN + CONTENT_WIDTH - number_width,
                baseline: FOOTER_BASELINE,
                style: SMALL,
                text: number,
            });
        }
    }
}

/// Each column's minimum plus a fair part of `spare`: columns that want little more (up to
/// their natural width) get all they want, the others split what is left equally.
fn share_out(minimum: &[f32], natural: &[f32], mut spare: f32) -> Vec<f32> {
    let mut width = minimum.to_vec();
    let mut open: Vec<usize> = (0..minimum.len())
        .filter(|&i| natural[i] > minimum[i])
        .collect();
    while !open.is_empty() {
        let each = spare / open.len() as f32;
        let (settled, rest): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| natural[i] - minimum[i] <= each);
        if settled.is_empty() {
            for &i in &rest {
                width[i] += each;
            }
            break;
        }
        for i in settled {
            spare -= natural[i] - minimum[i];
            width[i] = natural[i];
        }
        open = rest;
    }
    width
}

// ---------------------------------------------------------------------------------------------
// PDF writing

/// The glyphs of one face that the document uses, renumbered for the subset.
struct Used<'a> {
    face: &'a Face,
    remapper: GlyphRemapper,
    /// Subset glyph → the character it was first used for (for copying and searching text).
    unicode: BTreeMap<u16, char>,
}

impl<'a> Used<'a> {
    fn new(face: &'a Face) -> Self {
        Self {
            face,
            remapper: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
        }
    }

    /// `text` as two-byte subset glyph ids (Identity-H encoding).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.face.glyph(c);
            let old = u16::try_from(glyph.to_u32()).unwrap_or(0);
            let new = self.remapper.remap(old);
            if old != 0 {
                self.unicode.entry(new).or_insert(c);
            }
            bytes.extend(new.to_be_bytes());
        }
        bytes
    }

    /// Six capital letters naming this subset (PDF's "ABCDEF+FontName"), from its glyphs.
    fn tag(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for glyph in self.remapper.remapped_gids() {
            for byte in glyph.to_be_bytes() {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        (0..6)
            .map(|_| {
                let letter = char::from(b'A' + u8::try_from(hash % 26).unwrap_or(0));
                hash /= 26;
                letter
            })
            .collect()
    }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data)?;
    Ok(encoder.finish()?)
}

struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// Writes one face as a Type 0 font with a subsetted TrueType CID font, its widths and its
/// Unicode map.
fn write_font(pdf: &mut Pdf, refs: &mut Refs, type0: Ref, used: &Used) -> Result<(), PdfError> {
    let face = used.face;
    let (cid, descriptor, unicode, file) = (refs.next(), refs.next(), refs.next(), refs.next());
    let base = format!("{}+{}", used.tag(), face.name);
    let base = Name(base.as_bytes());

    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(unicode);

    let widths: Vec<f32> = used
        .remapper
        .remapped_gids()
        .map(|old| face.advance(GlyphId::new(u32::from(old))) * 1000.0)
        .collect();
    let mut font = pdf.cid_font(cid);
    font.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    font.widths().consecutive(0, widths);
    font.finish();

    let [x_min, y_min, x_max, y_max] = face.bbox.map(|v| face.pdf_units(v));
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(x_min, y_min, x_max, y_max))
        .italic_angle(0.0)
        .ascent(face.ascent * 1000.0)
        .descent(-face.descent * 1000.0)
        .cap_height(face.pdf_units(face.cap_height))
        .stem_v(face.stem_v)
        .font_file2(file);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
    for (&glyph, &c) in &used.unicode {
        cmap.pair(glyph, c);
    }
    let cmap = deflate(cmap.finish().as_slice())?;
    pdf.cmap(unicode, &cmap).filter(Filter::FlateDecode);

    let subset = subsetter::subset(face.data, 0, &used.remapper).map_err(|e| PdfError::Font {
        font: face.name,
        reason: e.to_string(),
    })?;
    let compressed = deflate(&subset)?;
    pdf.stream(file, &compressed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(subset.len()).unwrap_or(i32::MAX),
        );
    Ok(())
}

fn set_fill(content: &mut Content, Rgb(r, g, b): Rgb) {
    content.set_fill_rgb(r, g, b);
}

/// The report as a PDF file (A4; see the module docs for the layout).
///
/// # Errors
/// [`PdfError::Invalid`] when a table row does not have one cell per column (see
/// [`Printable::validate`]); [`PdfError::Font`] if the built-in font cannot be read or
/// subsetted (a bug, not a user error).
pub fn to_pdf(doc: &Printable) -> Result<Vec<u8>, PdfError> {
    doc.validate()?;
    let fonts = Fonts::load()?;
    let pages = Layout::new(&fonts, doc).document();

    let mut pdf = Pdf::new();
    let mut refs = Refs(0);
    let (catalog, tree, info) = (refs.next(), refs.next(), refs.next());
    let (regular_ref, bold_ref) = (refs.next(), refs.next());
    let mut regular = Used::new(&fonts.regular);
    let mut bold = Used::new(&fonts.bold);

    let mut page_refs = Vec::with_capacity(pages.len());
    for ops in &pages {
        let (page_ref, content_ref) = (refs.next(), refs.next());
        page_refs.push(page_ref);
        let mut content = Content::new();
        for op in ops {
            match op {
                Op::Fill {
                    x,
                    y,
                    width,
                    height,
                    color,
                } => {
                    set_fill(&mut content, *color);
                    content.rect(*x, PAGE_HEIGHT - y - height, *width, *height);
                    content.fill_nonzero();
                }
                Op::Rule {
                    x1,
                    x2,
                    y,
                    thickness,
                    color: Rgb(r, g, b),
                } => {
                    content
                        .set_stroke_rgb(*r, *g, *b)
                        .set_line_width(*thickness);
                    content
                        .move_to(*x1, PAGE_HEIGHT - y)
                        .line_to(*x2, PAGE_HEIGHT - y);
                    content.stroke();
                }
                Op::Text {
                    x,
                    baseline,
                    style,
                    text,
                } => {
                    let (name, used) = match style.weight {
                        Weight::Regular => (Name(b"F1"), &mut regular),
                        Weight::Bold => (Name(b"F2"), &mut bold),
                    };
                    let glyphs = used.encode(text);
                    content.begin_text();
                    content.set_font(name, style.size);
                    set_fill(&mut content, style.color);
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, PAGE_HEIGHT - baseline]);
                    content.show(Str(&glyphs));
                    content.end_text();
                }
            }
        }
        let stream = deflate(content.finish().as_slice())?;
        pdf.stream(content_ref, &stream).filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(content_ref);
        page.resources()
            .fonts()
            .pair(Name(b"F1"), regular_ref)
            .pair(Name(b"F2"), bold_ref);
        page.finish();
    }

    write_font(&mut pdf, &mut refs, regular_ref, &regular)?;
    write_font(&mut pdf, &mut refs, bold_ref, &bold)?;
    let count = i32::try_from(page_refs.len()).unwrap_or(i32::MAX);
    pdf.pages(tree).kids(page_refs).count(count);
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .creator(TextStr("Labeldesk"))
        .producer(TextStr("Labeldesk"));
    Ok(pdf.finish())
}

// ---------------------------------------------------------------------------------------------
// CSV

/// The two column kinds [`csv_cell`] hands to the catalog export's cell rules.
struct CsvRules {
    text: ColumnSchema,
    number: ColumnSchema,
}

impl CsvRules {
    fn new() -> Self {
        let column = |affinity| ColumnSchema {
            name: String::new(),
            declared_type: String::new(),
            affinity,
            not_null: true,
        };
        Self {
            text: column(Affinity::Text),
            number: column(Affinity::Real),
        }
    }

    /// `text` as written in a report CSV: a plain decimal number (thousands commas allowed,
    /// `-1,500.00`) as is, anything else by the catalog export's text rule (one `'` in front
    /// of text a spreadsheet could run as a formula, or that starts with `'`).
    fn cell(&self, text: &str) -> String {
        let digits_only = text.replace(',', "");
        let is_number = !text.starts_with(',')
            && matches!(
                csv_export::decode_cell(&digits_only, &self.number),
                Ok(Cell::Integer(_) | Cell::Real(_))
            );
        if is_number {
            text.to_owned()
        } else {
            csv_export::encode_cell(&Cell::Text(text.to_owned()), &self.text).into_owned()
        }
    }
}

/// The report's tables as CSV (see the module docs for the layout and the cell rule).
#[must_use]
pub fn to_csv(doc: &Printable) -> String {
    let rules = CsvRules::new();
    // Blocks of records, written with a blank line between them.
    let mut blocks: Vec<Vec<Vec<&str>>> = Vec::new();
    let mut head = vec![vec![doc.title.as_str()]];
    head.extend(doc.subtitles.iter().map(|s| vec![s.as_str()]));
    head.extend(doc.fields.iter().map(|(l, v)| vec![l.as_str(), v.as_str()]));
    blocks.push(head);
    for (heading, table) in doc.tables() {
        let mut block = vec![vec![heading]];
        if table.has_header() {
            block.push(table.columns.iter().map(|c| c.header.as_str()).collect());
        }
        for row in table.rows.iter().chain(&table.totals) {
            block.push(row.iter().map(String::as_str).collect());
        }
        blocks.push(block);
    }

    let mut out = Vec::from("\u{feff}".as_bytes());
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        for record in block {
            // Writing into memory cannot fail.
            let _ = w.write_record(record.iter().map(|c| rules.cell(c)));
        }
        let _ = w.flush();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::printable::{Column, Section};

    fn fonts() -> Fonts {
        Fonts::load().expect("built-in fonts")
    }

    #[test]
    fn the_font_has_the_glyphs_of_the_label_s_names() {
        let fonts = fonts();
        for face in [&fonts.regular, &fonts.bold] {
            for c in "Nação Zumbi Sigur Rós Motörhead Zoë € … – ·".chars() {
                assert_ne!(face.glyph(c), GlyphId::NOTDEF, "{c:?} in {}", face.name);
            }
            // Not every script: CJK prints as the missing-glyph box.
            assert_eq!(face.glyph('坂'), GlyphId::NOTDEF);
        }
    }

    #[test]
    fn digits_share_one_width_so_amounts_line_up() {
        let fonts = fonts();
        let one = fonts.width("1111.11", CELL);
        assert!(one > 0.0);
        assert!((fonts.width("8888.88", CELL) - one).abs() < 1e-4);
        // Twice the text is twice as wide, and bold is wider than regular.
        assert!(
            (fonts.width("Zoë Zoë", CELL)
                - 2.0 * fonts.width("Zoë", CELL)
                - fonts.width(" ", CELL))
            .abs()
                < 1e-3
        );
        assert!(fonts.width("Motörhead", CELL_BOLD) > fonts.width("Motörhead", CELL));
    }

    #[test]
    fn wrap_breaks_at_spaces_inside_overlong_words_and_at_newlines() {
        let fonts = fonts();
        let width = fonts.width("Nação Zumbi", CELL);
        assert_eq!(fonts.wrap("Nação Zumbi", CELL, width), ["Nação Zumbi"]);
        assert_eq!(
            fonts.wrap("Nação Zumbi Motörhead", CELL, width),
            ["Nação Zumbi", "Motörhead"]
        );
        let narrow = fonts.width("Motör", CELL);
        assert_eq!(fonts.wrap("Motörhead", CELL, narrow), ["Motör", "head"]);
        assert_eq!(fonts.wrap("a\n\nb", CELL, width), ["a", "", "b"]);
        assert_eq!(fonts.wrap("", CELL, width), [""]);
        let long = "Release 7: a deluxe anniversary edition with the live bonus disc";
        for line in fonts.wrap(long, CELL, 80.0) {
            assert!(fonts.width(&line, CELL) <= 80.0, "{line}");
        }
    }

    #[test]
    fn ellipsize_cuts_to_fit_and_marks_the_cut() {
        let fonts = fonts();
        let width = fonts.width("Sigur…", CELL);
        assert_eq!(fonts.ellipsize("Sigur Rós", CELL, 100.0), "Sigur Rós");
        assert_eq!(fonts.ellipsize("Sigur Rós", CELL, width), "Sigur…");
        // A cut right after a space drops the space.
        let width = fonts.width("Sigur …", CELL);
        assert_eq!(fonts.ellipsize("Sigur Rós", CELL, width), "Sigur…");
        assert_eq!(fonts.ellipsize("two\nlines", CELL, 100.0), "two lines");
        // Wrapped text kept to two lines ends its second line with "…".
        let width = fonts.width("Nação Zumbi", CELL);
        assert_eq!(
            fonts.wrap_at_most("Nação Zumbi Sigur Rós Motörhead", CELL, width, 2),
            ["Nação Zumbi", "Sigur Rós …"]
        );
    }

    #[test]
    fn share_out_satisfies_small_wants_first() {
        // Column 0 wants 2 more (≤ a third of 50): it gets them; the other two split 48.
        let widths = share_out(&[10.0, 10.0, 10.0], &[12.0, 100.0, 100.0], 50.0);
        assert_eq!(widths, [12.0, 34.0, 34.0]);
        // Enough for everyone: natural widths.
        assert_eq!(share_out(&[10.0, 20.0], &[15.0, 25.0], 100.0), [15.0, 25.0]);
    }

    fn table(rows: &[[&str; 3]]) -> Table {
        let mut table = Table::new([
            Column::left("Release"),
            Column::left("Artist"),
            Column::right("Royalty"),
        ]);
        for row in rows {
            table.push_row(*row);
        }
        table
    }

    #[test]
    fn columns_fill_the_width_and_number_columns_keep_their_cells_on_one_line() {
        let fonts = fonts();
        let doc = Printable::new("T");
        let layout = Layout::new(&fonts, &doc);
        let long = "A very long release title ".repeat(8);
        for t in [
            table(&[["Short", "Björk", "1.25"]]),
            table(&[[&long, &long, "1,234,567.89"]]),
        ] {
            let columns = layout.columns(&t);
            let sum: f32 = columns.width.iter().sum();
            assert!((sum - CONTENT_WIDTH).abs() < 0.01, "{sum}");
            assert!((columns.x[0] - MARGIN).abs() < 1e-4);
            let widest = t
                .rows
                .iter()
                .map(|r| fonts.width(&r[2], CELL))
                .fold(0.0, f32::max);
            assert!(columns.width[2] >= widest + 2.0 * CELL_PAD_X - 1e-3);
        }
        // When everything fits, the spare room goes to the text columns.
        let columns = layout.columns(&table(&[["Short", "Björk", "1.25"]]));
        let natural = fonts.width("Royalty", CELL_BOLD) + 2.0 * CELL_PAD_X;
        assert!((columns.width[2] - natural).abs() < 1e-3);
    }

    fn texts(page: &[Op]) -> Vec<&str> {
        page.iter()
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_long_table_repeats_its_header_and_every_page_is_numbered() {
        let fonts = fonts();
        let rows: Vec<[String; 3]> = (1..=150)
            .map(|i| [format!("Release {i}"), "Zoë".to_owned(), format!("{i}.00")])
            .collect();
        let mut t = Table::new([
            Column::left("Release"),
            Column::left("Artist"),
            Column::right("Royalty"),
        ]);
        for row in &rows {
            t.push_row(row.clone());
        }
        let doc = Printable::new("Statement")
            .footer("Generated")
            .section(Section::new("Earnings").table(t));
        let pages = Layout::new(&fonts, &doc).document();
        assert!(pages.len() >= 3);
        let count = pages.len();
        let mut seen = 0;
        for (i, page) in pages.iter().enumerate() {
            let texts = texts(page);
            assert_eq!(
                texts.iter().filter(|t| **t == "Royalty").count(),
                1,
                "page {}",
                i + 1
            );
            assert!(texts.contains(&format!("Page {} of {count}", i + 1).as_str()));
            assert!(texts.contains(&"Generated"));
            assert_eq!(i > 0, texts.contains(&"Earnings (continued)"));
            seen += texts.iter().filter(|t| t.starts_with("Release ")).count();
            // Nothing is drawn below the body except the footer.
            for op in page {
                if let Op::Text { baseline, text, .. } = op
                    && *baseline > CONTENT_BOTTOM
                {
                    assert!(text.starts_with("Page ") || text == "Generated", "{text}");
                }
            }
        }
        assert_eq!(seen, 150, "every row exactly once");
    }

    #[test]
    fn a_pdf_embeds_subsets_with_a_unicode_map() {
        let doc = Printable::new("Nação Zumbi").section(Section::new("S").paragraph("Zoë €"));
        let pdf = to_pdf(&doc).expect("pdf");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Identity-H"));
        assert!(text.contains("/ToUnicode"));
        assert!(text.contains("/FontFile2"));
        // Subset names: six capitals, a plus, the font name.
        for name in text.split("/BaseFont /").skip(1) {
            let name = name.split(['\n', ' ', '/']).next().expect("name");
            let (tag, font) = name.split_once('+').expect("subset tag");
            assert!(
                tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
                "{name}"
            );
            assert!(["DejaVuSansCondensed", "DejaVuSansCondensed-Bold"].contains(&font));
        }
        // Same document, same bytes.
        assert_eq!(to_pdf(&doc).expect("pdf"), pdf);
    }
}
