//! The sheet as one self-contained, printable HTML file: inline styles, no scripts, no external
//! resources, every value escaped.

use registrar_shared::html::escape;

use super::document::{Block, Document, Value};

const STYLE: &str = "
  :root { color-scheme: light; }
  body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2330;
         max-width: 50rem; margin: 2rem auto; padding: 0 1.5rem; }
  h1 { font-size: 1.8rem; margin: 0; }
  .subtitle { color: #5b6475; margin: 0.25rem 0 1.5rem; }
  h2 { font-size: 1.2rem; border-bottom: 1px solid #d5dae3; padding-bottom: 0.25rem; margin-top: 2rem; }
  h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
  table.fields { border-collapse: collapse; width: 100%; }
  table.fields th { text-align: left; font-weight: 600; vertical-align: top; padding: 0.2rem 1rem 0.2rem 0;
                    width: 13rem; }
  table.fields td { padding: 0.2rem 0; }
  code, pre { font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace; font-size: 0.85rem; }
  code { overflow-wrap: anywhere; }
  pre { background: #f3f5f8; border: 1px solid #d5dae3; border-radius: 6px; padding: 0.75rem;
        white-space: pre-wrap; overflow-wrap: anywhere; }
  .caption { margin: 0.75rem 0 0.25rem; color: #5b6475; }
  .note { border-left: 4px solid #c2410c; background: #fff4ed; padding: 0.5rem 0.75rem; font-weight: 600; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    h2 { break-after: avoid; }
    pre, table.fields tr { break-inside: avoid; }
  }
";

pub fn render(doc: &Document) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n",
        escape(&doc.title),
        escape(&doc.subtitle),
        escape(&doc.title),
        escape(&doc.subtitle),
    );
    for section in &doc.sections {
        out.push_str(&format!("<h2>{}</h2>\n", escape(&section.heading)));
        for block in &section.blocks {
            match block {
                Block::SubHeading(text) => out.push_str(&format!("<h3>{}</h3>\n", escape(text))),
                Block::Text(text) => out.push_str(&format!("<p>{}</p>\n", escape(text))),
                Block::Note(text) => {
                    out.push_str(&format!("<p class=\"note\">{}</p>\n", escape(text)))
                }
                Block::Fields(fields) => {
                    out.push_str("<table class=\"fields\">\n");
                    for (label, value) in fields {
                        out.push_str(&format!(
                            "<tr><th>{}</th><td>{}</td></tr>\n",
                            escape(label),
                            inline(value)
                        ));
                    }
                    out.push_str("</table>\n");
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", inline(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Code { caption, code } => out.push_str(&format!(
                    "<p class=\"caption\">{}</p>\n<pre><code>{}</code></pre>\n",
                    escape(caption),
                    escape(code)
                )),
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn inline(value: &Value) -> String {
    match value {
        Value::Text(text) => escape(text),
        Value::Code(code) => format!("<code>{}</code>", escape(code)),
    }
}
