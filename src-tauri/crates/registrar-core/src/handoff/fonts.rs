//! The PDF sheet's fonts. DejaVu Sans, Sans Bold and Sans Mono are bundled (`fonts/`): they cover
//! Latin (Polish included), Greek, Cyrillic and Arabic. A character they lack is drawn with a font
//! of the system's that has it, found through fontdb (fontconfig's folders on Linux, the system's
//! font folders on Windows and macOS): Japanese, Chinese and Korean come from there. Text is cut
//! into runs of one font each; a run is measured by shaping it with rustybuzz, as krilla shapes
//! it to draw it, so that widths and drawn glyphs agree.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::sync::{Arc, OnceLock};

use krilla::text::Font;

/// A bundled font as the build compressed it (`build.rs`), inflated once, at first use.
struct Bundled {
    compressed: &'static [u8],
    inflated: OnceLock<Vec<u8>>,
    parsed: OnceLock<rustybuzz::Face<'static>>,
}

impl Bundled {
    const fn new(compressed: &'static [u8]) -> Self {
        Self {
            compressed,
            inflated: OnceLock::new(),
            parsed: OnceLock::new(),
        }
    }

    fn bytes(&'static self) -> &'static [u8] {
        self.inflated.get_or_init(|| {
            let mut font = Vec::new();
            flate2::read::ZlibDecoder::new(self.compressed)
                .read_to_end(&mut font)
                .expect("the build compressed the bundled fonts");
            font
        })
    }
}

static SANS: Bundled = Bundled::new(include_bytes!(concat!(
    env!("OUT_DIR"),
    "/DejaVuSans.ttf.zlib"
)));
static SANS_BOLD: Bundled = Bundled::new(include_bytes!(concat!(
    env!("OUT_DIR"),
    "/DejaVuSans-Bold.ttf.zlib"
)));
static SANS_MONO: Bundled = Bundled::new(include_bytes!(concat!(
    env!("OUT_DIR"),
    "/DejaVuSansMono.ttf.zlib"
)));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Style {
    Regular,
    Bold,
    Mono,
}

/// What a face is shaped with: a bundled font, parsed once, or a system's font, read into memory
/// and parsed at each use (they draw only what the bundled fonts lack).
#[derive(Clone)]
enum Shaper {
    Bundled(&'static rustybuzz::Face<'static>),
    Loaded(Arc<Vec<u8>>, u32),
}

/// One face of a font file, for krilla to embed and for rustybuzz to shape.
#[derive(Clone)]
pub(super) struct Face {
    shaper: Shaper,
    pub(super) font: Font,
}

impl Face {
    fn bundled(bundled: &'static Bundled) -> Self {
        let bytes = bundled.bytes();
        let parsed = bundled.parsed.get_or_init(|| {
            rustybuzz::Face::from_slice(bytes, 0).expect("the bundled fonts are valid TrueType")
        });
        let font = Font::new(bytes.into(), 0).expect("the bundled fonts are valid TrueType");
        Self {
            shaper: Shaper::Bundled(parsed),
            font,
        }
    }

    fn loaded(bytes: Vec<u8>, index: u32) -> Option<Self> {
        rustybuzz::Face::from_slice(&bytes, index)?;
        let bytes = Arc::new(bytes);
        let font = Font::new(bytes.clone().into(), index)?;
        Some(Self {
            shaper: Shaper::Loaded(bytes, index),
            font,
        })
    }

    fn with_shaper<R>(&self, use_it: impl FnOnce(&rustybuzz::Face<'_>) -> R) -> R {
        match &self.shaper {
            Shaper::Bundled(face) => use_it(face),
            Shaper::Loaded(bytes, index) => use_it(
                &rustybuzz::Face::from_slice(bytes, *index).expect("checked when it was loaded"),
            ),
        }
    }

    fn has(&self, c: char) -> bool {
        match &self.shaper {
            Shaper::Bundled(face) => face.glyph_index(c).is_some(),
            Shaper::Loaded(bytes, index) => rustybuzz::ttf_parser::Face::parse(bytes, *index)
                .is_ok_and(|face| face.glyph_index(c).is_some()),
        }
    }

    /// The advance of `text` set in this face at `size` points.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        self.with_shaper(|shaper| {
            let mut buffer = rustybuzz::UnicodeBuffer::new();
            buffer.push_str(text);
            buffer.guess_segment_properties();
            let shaped = rustybuzz::shape(shaper, &[], buffer);
            let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
            units as f32 * size / f32::from(shaper.units_per_em() as u16)
        })
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("font", &self.font).finish()
    }
}

/// Whether `c` needs no glyph of its own: a mark that only joins or selects.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{fe00}'..='\u{fe0f}')
}

/// The fonts of one sheet: the bundled faces, the system's faces found for what they lack, and
/// the characters no font has.
#[derive(Debug)]
pub(super) struct Fonts {
    regular: Face,
    bold: Face,
    mono: Face,
    /// The system's face chosen for each character and style (none: no font has it).
    found: HashMap<(char, Style), Option<fontdb::ID>>,
    /// The system's faces read so far, each once: a CJK collection is some 20 MB.
    loaded: HashMap<fontdb::ID, Face>,
    missing: BTreeSet<char>,
}

impl Fonts {
    pub(super) fn new() -> Self {
        Self {
            regular: Face::bundled(&SANS),
            bold: Face::bundled(&SANS_BOLD),
            mono: Face::bundled(&SANS_MONO),
            found: HashMap::new(),
            loaded: HashMap::new(),
            missing: BTreeSet::new(),
        }
    }

    fn bundled(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Mono => &self.mono,
        }
    }

    /// The characters of the sheet that no font has, in code point order.
    pub(super) fn missing(&self) -> &BTreeSet<char> {
        &self.missing
    }

    /// The face that draws `c` in `style`: the bundled one when it has `c`, else the system's
    /// best, else none (and `c` is noted as missing).
    fn face_for(&mut self, c: char, style: Style) -> Option<Face> {
        let bundled = self.bundled(style);
        if invisible(c) || bundled.has(c) {
            return Some(bundled.clone());
        }
        let id = *self
            .found
            .entry((c, style))
            .or_insert_with(|| system_face(c, style));
        let Some(id) = id else {
            self.missing.insert(c);
            return None;
        };
        if let Some(face) = self.loaded.get(&id) {
            return Some(face.clone());
        }
        let face = system_fonts()
            .with_face_data(id, |data, index| Face::loaded(data.to_vec(), index))
            .flatten();
        match face {
            Some(face) => {
                self.loaded.insert(id, face.clone());
                Some(face)
            }
            None => {
                self.missing.insert(c);
                None
            }
        }
    }

    /// `text` cut into runs of one face each. A character that another face would draw stays in
    /// the run it is in when that run's face has it (spaces, digits, punctuation), so that runs
    /// change only where they must. Characters no face has are left out.
    pub(super) fn runs<'t>(&mut self, text: &'t str, style: Style) -> Vec<(Face, &'t str)> {
        let mut runs: Vec<(Face, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<Face> = None;
        for (at, c) in text.char_indices() {
            if let Some(face) = &current {
                if invisible(c) || face.has(c) {
                    continue;
                }
            }
            if let Some(face) = current.take() {
                runs.push((face, &text[start..at]));
            }
            current = self.face_for(c, style);
            start = if current.is_some() {
                at
            } else {
                at + c.len_utf8()
            };
        }
        if let Some(face) = current {
            runs.push((face, &text[start..]));
        }
        runs
    }

    /// A line of `text` as runs of one face and one direction each (true: right to left), in the
    /// order they are seen from left to right, by the Unicode bidirectional algorithm: a name in
    /// Arabic inside an English sentence keeps its letters joined and in their order.
    pub(super) fn visual_runs<'t>(
        &mut self,
        text: &'t str,
        style: Style,
    ) -> Vec<(Face, &'t str, bool)> {
        let bidi = unicode_bidi::ParagraphBidiInfo::new(text, None);
        let (levels, ranges) = bidi.visual_runs(0..text.len());
        let mut runs = Vec::new();
        for range in ranges {
            let rtl = levels[range.start].is_rtl();
            let mut pieces = self.runs(&text[range], style);
            if rtl {
                pieces.reverse();
            }
            runs.extend(pieces.into_iter().map(|(face, run)| (face, run, rtl)));
        }
        runs
    }

    /// The advance of `text` in `style` at `size` points.
    pub(super) fn width(&mut self, text: &str, style: Style, size: f32) -> f32 {
        self.runs(text, style)
            .iter()
            .map(|(face, run)| face.width(run, size))
            .sum()
    }
}

/// The system's fonts, read once (and only when a sheet needs one).
fn system_fonts() -> &'static fontdb::Database {
    static FONTS: OnceLock<fontdb::Database> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts = fontdb::Database::new();
        fonts.load_system_fonts();
        fonts
    })
}

/// The system's face that draws `c` best in `style`: one of the style (bold, monospaced) before
/// others, then the nearest weight, then Japanese forms of the Han characters shared with Chinese
/// and Korean (Registrar's users are many in Japan), then by name, so the choice does not depend
/// on the order the folders were read in. macOS's LastResort, which shows a box for any
/// character, does not count.
fn system_face(c: char, style: Style) -> Option<fontdb::ID> {
    let fonts = system_fonts();
    let wanted_weight = if style == Style::Bold { 700 } else { 400 };
    let best = fonts
        .faces()
        .filter(|info| !info.post_script_name.starts_with("LastResort"))
        .filter(|info| {
            fonts
                .with_face_data(info.id, |data, index| {
                    rustybuzz::Face::from_slice(data, index)
                        .and_then(|face| face.glyph_index(c))
                        .is_some()
                })
                .unwrap_or(false)
        })
        .min_by_key(|info| {
            let off_style = match style {
                Style::Mono => !info.monospaced,
                Style::Regular | Style::Bold => info.monospaced,
            };
            let japanese = info
                .families
                .iter()
                .any(|(family, _)| family.ends_with(" JP"));
            (
                off_style,
                info.style != fontdb::Style::Normal,
                info.weight.0.abs_diff(wanted_weight),
                !japanese,
                info.post_script_name.clone(),
            )
        })?;
    Some(best.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_fonts_draw_latin_greek_cyrillic_and_arabic_themselves() {
        let mut fonts = Fonts::new();
        for text in [
            "Zażółć gęślą jaźń",
            "Καλημέρα",
            "Здравствуйте",
            "مرحبا بالعالم",
        ] {
            let runs = fonts.runs(text, Style::Regular);
            assert_eq!(runs.len(), 1, "{text}: {runs:?}");
            assert_eq!(runs[0].1, text);
        }
        assert!(fonts.missing().is_empty());
        assert!(fonts.found.is_empty(), "the system's fonts were asked");
    }

    #[test]
    fn runs_change_font_only_where_they_must() {
        let mut fonts = Fonts::new();
        // U+10FFFF is a noncharacter: no font draws it.
        let text = "Billing \u{10ffff}sync 2";
        let runs = fonts.runs(text, Style::Regular);
        let texts: Vec<&str> = runs.iter().map(|(_, run)| *run).collect();
        assert_eq!(texts, ["Billing ", "sync 2"]);
        assert_eq!(fonts.missing().iter().collect::<Vec<_>>(), [&'\u{10ffff}']);
    }

    #[test]
    fn characters_from_one_system_font_share_one_copy_of_it() {
        let mut fonts = Fonts::new();
        let text = "請求書の同期";
        let runs = fonts.runs(text, Style::Regular);
        if fonts.missing().is_empty() {
            assert_eq!(runs.len(), 1, "{runs:?}");
            assert_eq!(fonts.loaded.len(), 1, "one face read for {text}");
        } else {
            // A system without a CJK font (scripts/test installs one) has nothing to share.
            assert!(fonts.loaded.is_empty());
        }
    }

    #[test]
    fn a_right_to_left_name_in_a_left_to_right_line_is_its_own_run() {
        let mut fonts = Fonts::new();
        let runs = fonts.visual_runs("Billing مرحبا · page 1", Style::Regular);
        let seen: Vec<(&str, bool)> = runs.iter().map(|(_, run, rtl)| (*run, *rtl)).collect();
        assert_eq!(
            seen,
            [("Billing ", false), ("مرحبا", true), (" · page 1", false)]
        );
    }

    #[test]
    fn widths_grow_with_the_text_and_the_size() {
        let mut fonts = Fonts::new();
        let short = fonts.width("Registrar", Style::Regular, 10.0);
        assert!(short > 30.0 && short < 60.0, "{short}");
        assert!(fonts.width("Registrar", Style::Bold, 10.0) > short);
        assert!((fonts.width("Registrar", Style::Regular, 20.0) - 2.0 * short).abs() < 0.01);
        let mono = fonts.width("iiii", Style::Mono, 10.0);
        assert!((mono - fonts.width("MMMM", Style::Mono, 10.0)).abs() < 0.01);
    }
}
