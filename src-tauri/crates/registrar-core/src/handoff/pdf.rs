//! The sheet as a PDF on A4, written with krilla: its fonts embedded and subsetted, with the
//! Unicode of every glyph, so the text extracts exactly in any script (see [`fonts`] for which
//! font draws what). A character no font on the computer has fails the export, naming it, rather
//! than printing a '?' or a blank.

use std::collections::BTreeSet;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::TextDirection;
use krilla::Document as Pdf;

use super::document::{Block, Document, Value};
use super::fonts::{Fonts, Style};
use crate::{Error, Result};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Room kept free at the bottom for the page footer.
const BOTTOM: f32 = MARGIN + 14.0;
const LABEL_WIDTH: f32 = 150.0;

/// What a page shows, in PDF's coordinates (points from the bottom left).
enum Mark {
    Text {
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        grey: u8,
        text: String,
    },
    /// A filled rectangle (a code block's background).
    Shade {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    /// The thin line under a section's heading.
    Rule { y: f32 },
}

/// Lays text out top to bottom, starting new pages as they fill.
struct Layout {
    fonts: Fonts,
    /// The pages filled so far.
    done: Vec<Vec<Mark>>,
    page: Vec<Mark>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            fonts: Fonts::new(),
            done: Vec::new(),
            page: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    /// Keeps the next `height` points together on one page, e.g. a heading and its first line.
    fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.done.push(std::mem::take(&mut self.page));
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    /// Makes room for a line `height` tall, on a new page if this one is full.
    fn advance(&mut self, height: f32) {
        self.keep(height);
        self.y -= height;
    }

    fn finish(mut self) -> (Vec<Vec<Mark>>, Fonts) {
        self.done.push(self.page);
        (self.done, self.fonts)
    }

    fn text(&mut self, x: f32, style: Style, size: f32, grey: u8, text: &str) {
        self.page.push(Mark::Text {
            x,
            y: self.y,
            style,
            size,
            grey,
            text: text.to_owned(),
        });
    }

    /// Breaks `text` into lines no wider than `width`: at spaces where it can, inside a word
    /// only when the word alone is too wide (as a name in Japanese, which has no spaces). A
    /// line's leading spaces (a command's indent) are kept. Lines are measured a word at a time.
    fn wrap(&mut self, text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let fonts = &mut self.fonts;
        let mut measure = |text: &str| fonts.width(text, style, size);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let body = paragraph.trim_start_matches(' ');
            let mut line = paragraph[..paragraph.len() - body.len()].to_owned();
            let mut line_width = measure(&line);
            let mut started = false;
            for word in body.split(' ') {
                let piece = if started {
                    format!(" {word}")
                } else {
                    word.to_owned()
                };
                let piece_width = measure(&piece);
                if line_width + piece_width <= width {
                    line.push_str(&piece);
                    line_width += piece_width;
                    started = true;
                    continue;
                }
                if started {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                let mut rest = word;
                while line_width + measure(rest) > width && rest.chars().nth(1).is_some() {
                    // As many characters as fit, and at least one.
                    let mut cut = 0;
                    let mut cut_width = line_width;
                    for (at, c) in rest.char_indices() {
                        let advance = measure(&rest[at..at + c.len_utf8()]);
                        if at > 0 && cut_width + advance > width {
                            break;
                        }
                        cut = at + c.len_utf8();
                        cut_width += advance;
                    }
                    lines.push(format!("{line}{}", &rest[..cut]));
                    line.clear();
                    line_width = 0.0;
                    rest = &rest[cut..];
                }
                line.push_str(rest);
                line_width += measure(rest);
                started = true;
            }
            lines.push(line);
        }
        lines
    }

    fn paragraph(&mut self, x: f32, width: f32, style: Style, size: f32, text: &str) {
        let leading = size * 1.4;
        for line in self.wrap(text, style, size, width) {
            self.advance(leading);
            self.text(x, style, size, 0, &line);
        }
    }

    fn bullet(&mut self, style: Style, text: &str) {
        let indent = 16.0;
        for (i, line) in self
            .wrap(text, style, 10.0, CONTENT_WIDTH - indent)
            .iter()
            .enumerate()
        {
            self.advance(14.0);
            if i == 0 {
                self.text(MARGIN + 4.0, Style::Regular, 10.0, 0, "•");
            }
            self.text(MARGIN + indent, style, 10.0, 0, line);
        }
    }

    fn rule(&mut self) {
        self.page.push(Mark::Rule { y: self.y - 4.0 });
    }

    /// A code block with its caption, kept on one page when it fits on one.
    fn code(&mut self, caption: &str, code: &str) {
        let size = 8.5;
        let leading = 11.0;
        let pad = 6.0;
        let lines = self.wrap(code, Style::Mono, size, CONTENT_WIDTH - 2.0 * pad);
        let height = 20.0 + leading * lines.len() as f32;
        if height < PAGE_HEIGHT - MARGIN - BOTTOM {
            self.keep(height);
        }
        self.paragraph(
            MARGIN,
            CONTENT_WIDTH,
            Style::Regular,
            9.0,
            &format!("{caption}:"),
        );
        self.y -= 2.0;
        for line in lines {
            self.advance(leading);
            self.page.push(Mark::Shade {
                x: MARGIN,
                y: self.y - 3.0,
                width: CONTENT_WIDTH,
                height: leading,
            });
            self.text(MARGIN + pad, Style::Mono, size, 0, &line);
        }
        self.y -= 4.0;
    }

    /// Each label with its value beside it; a label too long for its column gets a line of its
    /// own, so a label and a value never share a line with parts of each other.
    fn fields(&mut self, fields: &[(String, Value)]) {
        let size = 10.0;
        let leading = 14.0;
        for (label, value) in fields {
            let (style, text, value_size) = match value {
                Value::Text(text) => (Style::Regular, text, size),
                Value::Code(code) => (Style::Mono, code, 9.0),
            };
            let label = format!("{label}:");
            self.keep(2.0 * leading);
            if self.fonts.width(&label, Style::Bold, size) > LABEL_WIDTH - 8.0 {
                self.paragraph(MARGIN, CONTENT_WIDTH, Style::Bold, size, &label);
            } else {
                self.advance(leading);
                self.text(MARGIN, Style::Bold, size, 0, &label);
                self.y += leading;
            }
            for line in self.wrap(text, style, value_size, CONTENT_WIDTH - LABEL_WIDTH) {
                self.advance(leading);
                self.text(MARGIN + LABEL_WIDTH, style, value_size, 0, &line);
            }
        }
    }
}

impl Layout {
    fn block(&mut self, block: &Block) {
        match block {
            Block::SubHeading(text) => {
                self.y -= 4.0;
                self.paragraph(MARGIN, CONTENT_WIDTH, Style::Bold, 11.0, text);
            }
            Block::Text(text) => self.paragraph(MARGIN, CONTENT_WIDTH, Style::Regular, 10.0, text),
            Block::Note(text) => self.paragraph(MARGIN, CONTENT_WIDTH, Style::Bold, 10.0, text),
            Block::Fields(fields) => self.fields(fields),
            Block::List(items) => {
                for item in items {
                    let (style, text) = match item {
                        Value::Text(text) => (Style::Regular, text),
                        Value::Code(code) => (Style::Mono, code),
                    };
                    self.bullet(style, text);
                }
            }
            Block::Code { caption, code } => {
                self.y -= 4.0;
                self.code(caption, code);
            }
        }
    }

    /// How tall `blocks` come out: laid out on a page with no end, with the same fonts.
    fn height(&mut self, blocks: &[Block]) -> f32 {
        let top = 1.0e6;
        let mut scratch = Layout {
            fonts: std::mem::replace(&mut self.fonts, Fonts::new()),
            done: Vec::new(),
            page: Vec::new(),
            y: top,
        };
        for block in blocks {
            scratch.block(block);
        }
        self.fonts = scratch.fonts;
        top - scratch.y
    }
}

/// The sheet as PDF, or an error naming the characters no font on this computer can show.
pub fn render(doc: &Document) -> Result<Vec<u8>> {
    let mut layout = Layout::new();
    layout.advance(22.0);
    layout.text(MARGIN, Style::Bold, 20.0, 0, &doc.title);
    layout.advance(16.0);
    layout.text(MARGIN, Style::Regular, 11.0, 102, &doc.subtitle);
    for section in &doc.sections {
        layout.y -= 10.0;
        layout.keep(60.0);
        layout.advance(18.0);
        layout.text(MARGIN, Style::Bold, 13.0, 0, &section.heading);
        layout.rule();
        layout.y -= 6.0;
        for (at, block) in section.blocks.iter().enumerate() {
            if let Block::SubHeading(_) = block {
                // A heading stays on one page with what it heads (a request: its words and its
                // commands) when that fits on a page, else with its first lines.
                let end = section.blocks[at + 1..]
                    .iter()
                    .position(|b| matches!(b, Block::SubHeading(_)))
                    .map_or(section.blocks.len(), |n| at + 1 + n);
                let height = layout.height(&section.blocks[at..end]);
                layout.keep(match height <= PAGE_HEIGHT - MARGIN - BOTTOM {
                    true => height,
                    false => 44.0,
                });
            }
            layout.block(block);
        }
    }
    let (mut pages, mut fonts) = layout.finish();
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        page.push(Mark::Text {
            x: MARGIN,
            y: MARGIN - 10.0,
            style: Style::Regular,
            size: 8.0,
            grey: 128,
            text: format!("{} · page {} of {count}", doc.title, index + 1),
        });
    }
    write(&pages, &mut fonts, &doc.title)
}

fn missing_characters(missing: &BTreeSet<char>) -> Error {
    let named: Vec<String> = missing
        .iter()
        .map(|c| format!("\"{c}\" (U+{:04X})", u32::from(*c)))
        .collect();
    Error::InvalidInput {
        field: None,
        message: format!(
            "The PDF sheet cannot show {}: no font on this computer has {}. Export the HTML \
             sheet instead (the browser finds its own fonts), or install a font that has {}.",
            named.join(", "),
            if named.len() == 1 { "it" } else { "them" },
            if named.len() == 1 { "it" } else { "them" },
        ),
    }
}

/// Draws the pages with krilla, which embeds and subsets the fonts; fails when some text had a
/// character no font has.
fn write(pages: &[Vec<Mark>], fonts: &mut Fonts, title: &str) -> Result<Vec<u8>> {
    let mut pdf = Pdf::new();
    pdf.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator("Registrar".to_owned())
            .producer("Registrar".to_owned()),
    );
    let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid page size");
    for marks in pages {
        let mut page = pdf.start_page_with(size.clone());
        let mut surface = page.surface();
        for mark in marks {
            match mark {
                Mark::Text {
                    x,
                    y,
                    style,
                    size,
                    grey,
                    text,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: luma::Color::new(*grey).into(),
                        ..Fill::default()
                    }));
                    let mut at = *x;
                    for (face, run, rtl) in fonts.visual_runs(text, *style) {
                        let start = Point::from_xy(at, PAGE_HEIGHT - y);
                        at += face.width(run, *size);
                        let direction = match rtl {
                            true => TextDirection::RightToLeft,
                            false => TextDirection::LeftToRight,
                        };
                        surface.draw_text(start, face.font.clone(), *size, run, false, direction);
                    }
                }
                Mark::Shade {
                    x,
                    y,
                    width,
                    height,
                } => {
                    surface.set_fill(Some(Fill {
                        paint: luma::Color::new(242).into(),
                        ..Fill::default()
                    }));
                    let mut path = PathBuilder::new();
                    if let Some(rect) =
                        Rect::from_xywh(*x, PAGE_HEIGHT - y - height, *width, *height)
                    {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                }
                Mark::Rule { y } => {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: luma::Color::new(204).into(),
                        width: 0.5,
                        ..Stroke::default()
                    }));
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN, PAGE_HEIGHT - y);
                    path.line_to(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - y);
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                    surface.set_stroke(None);
                }
            }
        }
        surface.finish();
        page.finish();
    }
    if !fonts.missing().is_empty() {
        return Err(missing_characters(fonts.missing()));
    }
    pdf.finish()
        .map_err(|e| Error::Storage(format!("Could not write the PDF sheet: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_are_cut_and_short_ones_kept_whole() {
        let mut layout = Layout::new();
        let char_width = layout.fonts.width("c", Style::Mono, 10.0);
        let lines = layout.wrap(
            "a bb cccccccccc",
            Style::Mono,
            10.0,
            char_width * 4.0 + 0.01,
        );
        assert_eq!(lines, ["a bb", "cccc", "cccc", "cc"]);
        let lines = layout.wrap("curl \\\n  --data x", Style::Mono, 10.0, char_width * 10.5);
        assert_eq!(lines, ["curl \\", "  --data x"]);
        for line in layout.wrap(&"word ".repeat(200), Style::Regular, 10.0, CONTENT_WIDTH) {
            assert!(
                layout.fonts.width(&line, Style::Regular, 10.0) <= CONTENT_WIDTH,
                "{line}"
            );
        }
    }

    #[test]
    fn text_without_spaces_is_cut_between_characters() {
        let mut layout = Layout::new();
        let text = "Здравствуйте".repeat(12);
        let lines = layout.wrap(&text, Style::Regular, 10.0, 100.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), text);
        for line in &lines {
            assert!(
                layout.fonts.width(line, Style::Regular, 10.0) <= 100.0,
                "{line}"
            );
        }
    }

    #[test]
    fn a_character_no_font_has_is_named() {
        let mut missing = BTreeSet::new();
        missing.insert('\u{10ffff}');
        let message = missing_characters(&missing).to_string();
        assert!(message.contains("U+10FFFF"), "{message}");
        assert!(message.contains("HTML sheet"), "{message}");
    }
}
