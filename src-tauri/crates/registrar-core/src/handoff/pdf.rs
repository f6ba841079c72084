//! The sheet as a PDF 1.4 file on A4, written directly: the three standard fonts every reader
//! has (Helvetica, Helvetica-Bold, Courier) in WinAnsi encoding, so nothing is embedded and the
//! text extracts exactly. Lines are wrapped with Helvetica's published character widths.

use std::fmt::Write as _;

use super::document::{Block, Document, Value};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Room kept free at the bottom for the page footer.
const BOTTOM: f32 = MARGIN + 14.0;
const LABEL_WIDTH: f32 = 150.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }

    /// The advance of `text` at `size` points.
    fn width(self, text: &str, size: f32) -> f32 {
        let units: f32 = match self {
            Font::Mono => 600.0 * text.chars().count() as f32,
            // Helvetica-Bold runs up to about a tenth wider than Helvetica; wrap as if it did.
            Font::Bold => text.chars().map(helvetica_width).sum::<f32>() * 1.1,
            Font::Regular => text.chars().map(helvetica_width).sum(),
        };
        units * size / 1000.0
    }
}

/// Helvetica's advance widths (1/1000 em) for printable ASCII; others as a digit.
fn helvetica_width(c: char) -> f32 {
    const WIDTHS: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
        278, // ' '../
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
        556, // 0..?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
        778, // @..O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
        556, // P.._
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
        556, // `..o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
    ];
    match c as u32 {
        code @ 32..=126 => f32::from(WIDTHS[(code - 32) as usize]),
        _ => 556.0,
    }
}

/// The byte for `c` in WinAnsiEncoding; characters it lacks print as '?'.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        _ => b'?',
    }
}

/// A PDF literal string of `text` in WinAnsi.
fn literal(text: &str) -> String {
    let mut out = String::from("(");
    for byte in text.chars().map(win_ansi) {
        match byte {
            b'(' | b')' | b'\\' => {
                out.push('\\');
                out.push(byte as char);
            }
            32..=126 => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out.push(')');
    out
}

/// Breaks `text` into lines no wider than `width`: at spaces where it can, inside a word only
/// when the word alone is too wide. A line's leading spaces (a command's indent) are kept.
fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let body = paragraph.trim_start_matches(' ');
        let indent = &paragraph[..paragraph.len() - body.len()];
        let mut line = indent.to_owned();
        let mut started = false;
        for word in body.split(' ') {
            let candidate = if started {
                format!("{line} {word}")
            } else {
                format!("{line}{word}")
            };
            if font.width(&candidate, size) <= width {
                line = candidate;
                started = true;
                continue;
            }
            if started {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while font.width(&format!("{line}{rest}"), size) > width
                && rest.chars().nth(1).is_some()
            {
                let room = width - font.width(&line, size);
                let mut cut = rest.len();
                while font.width(&rest[..cut], size) > room {
                    match rest[..cut].char_indices().next_back() {
                        Some((i, _)) if i > 0 => cut = i,
                        _ => break,
                    }
                }
                lines.push(format!("{line}{}", &rest[..cut]));
                line.clear();
                rest = &rest[cut..];
            }
            line.push_str(rest);
            started = true;
        }
        lines.push(line);
    }
    lines
}

/// Lays text out top to bottom, starting new pages as they fill.
struct Layout {
    /// The content streams of the pages filled so far.
    done: Vec<String>,
    page: String,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            done: Vec::new(),
            page: String::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn page(&mut self) -> &mut String {
        &mut self.page
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

    fn finish(mut self) -> Vec<String> {
        self.done.push(self.page);
        self.done
    }

    fn text(&mut self, x: f32, font: Font, size: f32, grey: f32, text: &str) {
        let y = self.y;
        let _ = writeln!(
            self.page(),
            "BT {grey} g /{} {size} Tf {x:.1} {y:.1} Td {} Tj ET",
            font.resource(),
            literal(text)
        );
    }

    fn paragraph(&mut self, x: f32, width: f32, font: Font, size: f32, text: &str) {
        let leading = size * 1.4;
        for line in wrap(text, font, size, width) {
            self.advance(leading);
            self.text(x, font, size, 0.0, &line);
        }
    }

    fn bullet(&mut self, font: Font, text: &str) {
        let indent = 16.0;
        for (i, line) in wrap(text, font, 10.0, CONTENT_WIDTH - indent)
            .iter()
            .enumerate()
        {
            self.advance(14.0);
            if i == 0 {
                self.text(MARGIN + 4.0, Font::Regular, 10.0, 0.0, "•");
            }
            self.text(MARGIN + indent, font, 10.0, 0.0, line);
        }
    }

    fn rule(&mut self) {
        let y = self.y - 4.0;
        let _ = writeln!(
            self.page(),
            "0.8 G 0.5 w {MARGIN} {y:.1} m {} {y:.1} l S",
            PAGE_WIDTH - MARGIN
        );
    }

    /// A code block with its caption, kept on one page when it fits on one.
    fn code(&mut self, caption: &str, code: &str) {
        let size = 8.5;
        let leading = 11.0;
        let pad = 6.0;
        let lines = wrap(code, Font::Mono, size, CONTENT_WIDTH - 2.0 * pad);
        let height = 20.0 + leading * lines.len() as f32;
        if height < PAGE_HEIGHT - MARGIN - BOTTOM {
            self.keep(height);
        }
        self.paragraph(
            MARGIN,
            CONTENT_WIDTH,
            Font::Regular,
            9.0,
            &format!("{caption}:"),
        );
        self.y -= 2.0;
        for line in lines {
            self.advance(leading);
            let y = self.y - 3.0;
            let _ = writeln!(
                self.page(),
                "0.95 g {MARGIN} {y:.1} {CONTENT_WIDTH} {leading} re f"
            );
            self.text(MARGIN + pad, Font::Mono, size, 0.0, &line);
        }
        self.y -= 4.0;
    }

    /// Each label with its value beside it; a label too long for its column gets a line of its
    /// own, so a label and a value never share a line with parts of each other.
    fn fields(&mut self, fields: &[(String, Value)]) {
        let size = 10.0;
        let leading = 14.0;
        for (label, value) in fields {
            let (font, text, value_size) = match value {
                Value::Text(text) => (Font::Regular, text, size),
                Value::Code(code) => (Font::Mono, code, 9.0),
            };
            let label = format!("{label}:");
            self.keep(2.0 * leading);
            if Font::Bold.width(&label, size) > LABEL_WIDTH - 8.0 {
                self.paragraph(MARGIN, CONTENT_WIDTH, Font::Bold, size, &label);
            } else {
                self.advance(leading);
                self.text(MARGIN, Font::Bold, size, 0.0, &label);
                self.y += leading;
            }
            for line in wrap(text, font, value_size, CONTENT_WIDTH - LABEL_WIDTH) {
                self.advance(leading);
                self.text(MARGIN + LABEL_WIDTH, font, value_size, 0.0, &line);
            }
        }
    }
}

pub fn render(doc: &Document) -> Vec<u8> {
    let mut layout = Layout::new();
    layout.advance(22.0);
    layout.text(MARGIN, Font::Bold, 20.0, 0.0, &doc.title);
    layout.advance(16.0);
    layout.text(MARGIN, Font::Regular, 11.0, 0.4, &doc.subtitle);
    for section in &doc.sections {
        layout.y -= 10.0;
        layout.keep(60.0);
        layout.advance(18.0);
        layout.text(MARGIN, Font::Bold, 13.0, 0.0, &section.heading);
        layout.rule();
        layout.y -= 6.0;
        for block in &section.blocks {
            match block {
                Block::SubHeading(text) => {
                    layout.y -= 4.0;
                    layout.keep(40.0);
                    layout.paragraph(MARGIN, CONTENT_WIDTH, Font::Bold, 11.0, text);
                }
                Block::Text(text) => {
                    layout.paragraph(MARGIN, CONTENT_WIDTH, Font::Regular, 10.0, text)
                }
                Block::Note(text) => {
                    layout.paragraph(MARGIN, CONTENT_WIDTH, Font::Bold, 10.0, text)
                }
                Block::Fields(fields) => layout.fields(fields),
                Block::List(items) => {
                    for item in items {
                        let (font, text) = match item {
                            Value::Text(text) => (Font::Regular, text),
                            Value::Code(code) => (Font::Mono, code),
                        };
                        layout.bullet(font, text);
                    }
                }
                Block::Code { caption, code } => {
                    layout.y -= 4.0;
                    layout.code(caption, code);
                }
            }
        }
    }
    let mut pages = layout.finish();
    let count = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let footer = format!("{} · page {} of {count}", doc.title, index + 1);
        let _ = writeln!(
            page,
            "BT 0.5 g /F1 8 Tf {MARGIN} {:.1} Td {} Tj ET",
            MARGIN - 10.0,
            literal(&footer)
        );
    }
    write_file(&pages, &doc.title)
}

/// Assembles the objects, the cross-reference table and the trailer.
fn write_file(pages: &[String], title: &str) -> Vec<u8> {
    // 1 catalog, 2 page tree, 3-5 fonts, 6 info, then a page and its content per page.
    let first_page = 7;
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Count {} /Kids [{}] >>",
            pages.len(),
            (0..pages.len())
                .map(|i| format!("{} 0 R", first_page + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        font("Helvetica"),
        font("Helvetica-Bold"),
        font("Courier"),
        format!(
            "<< /Title {} /Producer (Registrar) /Creator (Registrar) >>",
            utf16_string(title)
        ),
    ];
    for (i, content) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {} 0 R >>",
            first_page + 2 * i + 1
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

fn font(name: &str) -> String {
    format!("<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
}

/// A text string in UTF-16BE with its byte-order mark, for any title.
fn utf16_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_are_cut_and_short_ones_kept_whole() {
        let lines = wrap("a bb cccccccccc", Font::Mono, 10.0, 6.0 * 4.0);
        assert_eq!(lines, ["a bb", "cccc", "cccc", "cc"]);
        let lines = wrap("curl \\\n  --data x", Font::Mono, 10.0, 6.0 * 10.0);
        assert_eq!(lines, ["curl \\", "  --data x"]);
        for line in wrap(&"word ".repeat(200), Font::Regular, 10.0, CONTENT_WIDTH) {
            assert!(Font::Regular.width(&line, 10.0) <= CONTENT_WIDTH, "{line}");
        }
    }

    #[test]
    fn strings_are_escaped_and_encoded() {
        assert_eq!(literal("a(b)\\c"), "(a\\(b\\)\\\\c)");
        assert_eq!(literal("é—✓"), "(\\351\\227?)");
        assert_eq!(utf16_string("A✓"), "<FEFF00412713>");
    }
}
