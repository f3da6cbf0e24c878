//! Runbook prose as styled lines: headings, paragraphs, lists, code, links
//! and GitHub alerts (`> [!CAUTION]`) in their colours. Pure: text in, lines
//! out; control characters are stripped from every piece of text.

use crate::domain::sanitize::strip_controls;
use crate::ui::theme::Styles;
use pulldown_cmark::{BlockQuoteKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The markdown as lines to paint.
pub fn render(markdown: &str, styles: &Styles) -> Vec<Line<'static>> {
    let mut out = Renderer {
        styles,
        lines: Vec::new(),
        current: Vec::new(),
        quote: Vec::new(),
        lists: Vec::new(),
        inline: Vec::new(),
        in_code: false,
        link: None,
    };
    let options = Options::ENABLE_GFM | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        out.event(event);
    }
    out.flush();
    while out.lines.last().is_some_and(|l| l.spans.is_empty()) {
        out.lines.pop();
    }
    out.lines
}

struct Renderer<'s> {
    styles: &'s Styles<'s>,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    /// Open block quotes: their bar's style (alerts are coloured).
    quote: Vec<Style>,
    /// Open lists: the next number (None = bullets).
    lists: Vec<Option<u64>>,
    /// Styles of open emphasis, strong, heading…
    inline: Vec<Style>,
    in_code: bool,
    link: Option<String>,
}

impl Renderer<'_> {
    fn style(&self) -> Style {
        self.inline
            .iter()
            .fold(self.styles.text(), |acc, s| acc.patch(*s))
    }

    fn prefix(&self) -> Vec<Span<'static>> {
        let mut spans: Vec<Span<'static>> =
            self.quote.iter().map(|s| Span::styled("▌ ", *s)).collect();
        if self.lists.len() > 1 {
            spans.push(Span::raw("  ".repeat(self.lists.len() - 1)));
        }
        spans
    }

    fn flush(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let mut spans = self.prefix();
        spans.append(&mut self.current);
        self.lines.push(Line::from(spans));
    }

    fn blank(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            let prefix = self.prefix();
            // Inside a quote the bar continues across the blank line.
            self.lines.push(Line::from(if self.quote.is_empty() {
                Vec::new()
            } else {
                prefix
            }));
        }
    }

    fn text(&mut self, text: &str) {
        let text = strip_controls(text);
        let style = self.style();
        self.current.push(Span::styled(text, style));
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.in_code => {
                for line in text.lines() {
                    let mut spans = self.prefix();
                    spans.push(Span::styled("  │ ", self.styles.muted()));
                    spans.push(Span::styled(strip_controls(line), self.styles.accent()));
                    self.lines.push(Line::from(spans));
                }
            }
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                let code = strip_controls(&code);
                self.current.push(Span::styled(code, self.styles.accent()));
            }
            Event::SoftBreak => self.current.push(Span::raw(" ")),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.blank();
                self.lines.push(Line::from(Span::styled(
                    "─".repeat(40),
                    self.styles.muted(),
                )));
            }
            Event::TaskListMarker(done) => self.current.push(Span::styled(
                if done { "[x] " } else { "[ ] " },
                self.styles.muted(),
            )),
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => {
                self.blank();
                let style = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => {
                        self.styles.heading().add_modifier(Modifier::BOLD)
                    }
                    _ => self.styles.accent().add_modifier(Modifier::BOLD),
                };
                self.inline.push(style);
            }
            Tag::Paragraph => {}
            Tag::BlockQuote(kind) => {
                self.blank();
                let (label, style) = match kind {
                    Some(BlockQuoteKind::Note) => ("NOTE", self.styles.accent()),
                    Some(BlockQuoteKind::Tip) => ("TIP", self.styles.healthy()),
                    Some(BlockQuoteKind::Important) => ("IMPORTANT", self.styles.heading()),
                    Some(BlockQuoteKind::Warning) => ("WARNING", self.styles.degraded()),
                    Some(BlockQuoteKind::Caution) => ("CAUTION", self.styles.critical()),
                    None => ("", self.styles.muted()),
                };
                self.quote.push(style);
                if !label.is_empty() {
                    let mut spans = self.prefix();
                    spans.push(Span::styled(label, style.add_modifier(Modifier::BOLD)));
                    self.lines.push(Line::from(spans));
                }
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.in_code = true;
            }
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.current.push(Span::styled(marker, self.styles.muted()));
            }
            Tag::Emphasis => self
                .inline
                .push(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.inline.push(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .inline
                .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.inline
                    .push(Style::new().add_modifier(Modifier::UNDERLINED));
                self.link = Some(dest_url.to_string());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.inline.pop();
                self.blank();
            }
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                // The bar does not run on past the quote's last line.
                let bar_only = self.lines.last().is_some_and(|l| {
                    !l.spans.is_empty() && l.spans.iter().all(|s| s.content == "▌ ")
                });
                if bar_only {
                    self.lines.pop();
                }
                self.quote.pop();
                self.blank();
            }
            TagEnd::CodeBlock => {
                self.in_code = false;
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.inline.pop();
            }
            TagEnd::Link => {
                self.inline.pop();
                if let Some(url) = self.link.take() {
                    let url = strip_controls(&url);
                    self.current
                        .push(Span::styled(format!(" ({url})"), self.styles.muted()));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ThemeSpec;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn renders_headings_lists_code_and_alerts() {
        let theme = ThemeSpec::built_in("dark").unwrap();
        let styles = Styles::new(&theme, false);
        let md = "## 4. Roll back\n\nReplaces *every* task:\n\n- one\n- two `x`\n\n1. first\n2. second\n\n> [!CAUTION]\n> Replaces every running task.\n\n```bash\necho hi\n```\n";
        let text = plain(&render(md, &styles));
        assert_eq!(
            text,
            vec![
                "4. Roll back",
                "",
                "Replaces every task:",
                "",
                "• one",
                "• two x",
                "",
                "1. first",
                "2. second",
                "",
                "▌ CAUTION",
                "▌ Replaces every running task.",
                "",
                "  │ echo hi",
            ]
        );
        let lines = render(md, &styles);
        let caution = &lines[10].spans[1];
        assert_eq!(caution.style.fg, styles.critical().fg, "CAUTION is red");
    }

    #[test]
    fn strips_control_sequences() {
        let theme = ThemeSpec::built_in("dark").unwrap();
        let styles = Styles::new(&theme, false);
        let text = plain(&render("hello \u{1b}]52;c;AAAA\u{7} there", &styles)).join("\n");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
    }
}
