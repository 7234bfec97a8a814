//! Boxes drawn over the screen that take the keys while open: the key
//! list (`?`), one-line prompts (date, free tag, note), the tag picker and
//! the export dialog.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::action::Action;
use super::app::Status;
use super::browse::{Browser, Env};
use super::export_dialog::{self, ExportDialog, ExportRun};
use super::format;
use super::keymap::{self, Context};
use super::record::default_tags;
use super::screens::{Screen, Ui, framed};
use super::theme::style;
use super::widgets::input::{Edit, TextInput};
use super::widgets::text::{clean, clear_for_overlay, fill, paint_line};
use crate::i18n::Lang;

/// Messages a tag change applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagTarget {
    One {
        msg_key: i64,
        tags: Vec<String>,
    },
    /// Every result of a search.
    All {
        keys: Vec<i64>,
        query: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    Date,
    Tag(TagTarget),
    Note { msg_key: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: TextInput,
    pub error: Option<String>,
}

/// One entry of the tag picker; `tag: None` is the free-text entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagOption {
    pub tag: Option<String>,
    /// The message has this tag already, so choosing it removes it.
    pub present: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub target: TagTarget,
    pub options: Vec<TagOption>,
    pub selected: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Overlay {
    #[default]
    None,
    Help {
        /// The context whose keys are listed.
        context: Context,
        scroll: usize,
        /// The overlay the key list was opened over, back when it closes.
        under: Option<Box<Overlay>>,
    },
    Prompt(Prompt),
    Choice(Choice),
    Export(Box<ExportDialog>),
}

impl Overlay {
    pub fn is_open(&self) -> bool {
        *self != Overlay::None
    }

    pub fn context(&self) -> Option<Context> {
        match self {
            Overlay::None => None,
            Overlay::Help { .. } => Some(Context::Help),
            Overlay::Prompt(_) => Some(Context::Prompt),
            Overlay::Choice(_) => Some(Context::Choice),
            Overlay::Export(dialog) => Some(match dialog.as_ref() {
                ExportDialog::Form(form)
                    if form.focus == export_dialog::ExportField::Destination =>
                {
                    Context::ExportPath
                }
                ExportDialog::Form(_) => Context::ExportForm,
                ExportDialog::Progress => Context::ExportRunning,
                ExportDialog::Finished(_) => Context::ExportDone,
            }),
        }
    }

    pub fn date_prompt() -> Overlay {
        Overlay::Prompt(Prompt {
            kind: PromptKind::Date,
            input: TextInput::default(),
            error: None,
        })
    }
}

/// Starts a tag, star or note change on the selected message, or a tag
/// on every search result.
pub fn start_annotation(
    browser: &mut Browser,
    action: Action,
    overlay: &mut Overlay,
    env: &Env,
) -> anyhow::Result<Option<Status>> {
    let lang = env.settings.lang;
    if action == Action::BulkTag {
        let Some((keys, query)) = browser.all_result_keys()? else {
            return Ok(Some(Status::info(
                lang.pick("先に検索を実行してください", "run a search first"),
            )));
        };
        if keys.is_empty() {
            return Ok(Some(Status::info(
                lang.pick("検索結果がありません", "no search results"),
            )));
        }
        *overlay = Overlay::Choice(Choice {
            options: tag_options(browser, &[], lang)?,
            target: TagTarget::All { keys, query },
            selected: 0,
        });
        return Ok(None);
    }
    let Some(message) = browser.selected_message() else {
        return Ok(Some(Status::info(
            lang.pick("メッセージを選んでください", "select a message first"),
        )));
    };
    let msg_key = message.msg_key;
    match action {
        Action::ToggleStar => {
            let starred = !message.starred;
            browser.recorder()?.set_star(msg_key, starred)?;
            browser.refresh_message(msg_key, env)?;
            Ok(Some(Status::info(if starred {
                lang.pick("スターを付けました", "starred")
            } else {
                lang.pick("スターを外しました", "unstarred")
            })))
        }
        Action::Note => {
            *overlay = Overlay::Prompt(Prompt {
                input: TextInput::with_text(message.note.as_deref().unwrap_or("")),
                kind: PromptKind::Note { msg_key },
                error: None,
            });
            Ok(None)
        }
        Action::Tag => {
            let tags = message.tags.clone();
            *overlay = Overlay::Choice(Choice {
                options: tag_options(browser, &tags, lang)?,
                target: TagTarget::One { msg_key, tags },
                selected: 0,
            });
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Returns the picker entries: the default tags, the other tags in use, then free text.
fn tag_options(
    browser: &Browser,
    present: &[String],
    lang: Lang,
) -> anyhow::Result<Vec<TagOption>> {
    let mut tags: Vec<String> = default_tags(lang)
        .iter()
        .map(|tag| (*tag).to_string())
        .collect();
    for (tag, _) in browser.session.reader.tag_counts()? {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let mut options: Vec<TagOption> = tags
        .into_iter()
        .map(|tag| TagOption {
            present: present.contains(&tag),
            tag: Some(tag),
        })
        .collect();
    options.push(TagOption {
        tag: None,
        present: false,
    });
    Ok(options)
}

/// Applies one action to the open overlay.
pub fn update(
    overlay: &mut Overlay,
    browser: &mut Browser,
    action: Action,
    env: &Env,
) -> anyhow::Result<Option<Status>> {
    let lang = env.settings.lang;
    if let Overlay::Export(_) = overlay {
        if action == Action::ToggleHelp
            && let Some(context) = overlay.context()
        {
            let under = std::mem::take(overlay);
            *overlay = Overlay::Help {
                context,
                scroll: 0,
                under: Some(Box::new(under)),
            };
            return Ok(None);
        }
        return export_dialog::update(overlay, browser, action, env);
    }
    match overlay {
        Overlay::None | Overlay::Export(_) => Ok(None),
        Overlay::Help { scroll, under, .. } => {
            match action {
                Action::ToggleHelp | Action::Back | Action::Cancel => {
                    *overlay = under.take().map_or(Overlay::None, |under| *under)
                }
                Action::Down => *scroll = scroll.saturating_add(1),
                Action::Up => *scroll = scroll.saturating_sub(1),
                _ => {}
            }
            Ok(None)
        }
        Overlay::Choice(choice) => match action {
            Action::Up => {
                choice.selected = choice.selected.saturating_sub(1);
                Ok(None)
            }
            Action::Down => {
                choice.selected = (choice.selected + 1).min(choice.options.len().saturating_sub(1));
                Ok(None)
            }
            Action::Cancel => {
                *overlay = Overlay::None;
                Ok(None)
            }
            // Typed text is a new tag, never a choice of the highlighted one.
            Action::Edit(Edit::Insert(text)) | Action::Paste(text) => {
                let mut input = TextInput::default();
                input.apply(&Edit::Insert(text));
                *overlay = Overlay::Prompt(Prompt {
                    kind: PromptKind::Tag(choice.target.clone()),
                    input,
                    error: None,
                });
                Ok(None)
            }
            Action::Submit => {
                let Some(option) = choice.options.get(choice.selected).cloned() else {
                    return Ok(None);
                };
                let target = choice.target.clone();
                match option.tag {
                    None => {
                        *overlay = Overlay::Prompt(Prompt {
                            kind: PromptKind::Tag(target),
                            input: TextInput::default(),
                            error: None,
                        });
                        Ok(None)
                    }
                    Some(tag) => {
                        *overlay = Overlay::None;
                        apply_tag(browser, &target, &tag, option.present, env)
                    }
                }
            }
            _ => Ok(None),
        },
        Overlay::Prompt(prompt) => match action {
            Action::Edit(edit) => {
                prompt.input.apply(&edit);
                prompt.error = None;
                Ok(None)
            }
            Action::Paste(text) => {
                prompt.input.apply(&Edit::Insert(text));
                Ok(None)
            }
            Action::Cancel => {
                *overlay = Overlay::None;
                Ok(None)
            }
            Action::Submit => {
                let text = prompt.input.text().trim().to_string();
                match prompt.kind.clone() {
                    PromptKind::Date => match format::parse_date_time(&text, env.settings.zone) {
                        Some(unix) => {
                            *overlay = Overlay::None;
                            browser.jump_to_time(unix, env)
                        }
                        None => {
                            prompt.error = Some(
                                lang.pick(
                                    "日付は 2024-03-05 か 2024-03-05 10:30 の形で入力してください",
                                    "write the date as 2024-03-05 or 2024-03-05 10:30",
                                )
                                .into(),
                            );
                            Ok(None)
                        }
                    },
                    PromptKind::Tag(target) => {
                        if text.is_empty() {
                            prompt.error =
                                Some(lang.pick("タグを入力してください", "enter a tag").into());
                            return Ok(None);
                        }
                        *overlay = Overlay::None;
                        apply_tag(browser, &target, &text, false, env)
                    }
                    PromptKind::Note { msg_key } => {
                        *overlay = Overlay::None;
                        browser.recorder()?.set_note(msg_key, &text)?;
                        browser.refresh_message(msg_key, env)?;
                        Ok(Some(Status::info(if text.is_empty() {
                            lang.pick("メモを消しました", "note removed")
                        } else {
                            lang.pick("メモを保存しました", "note saved")
                        })))
                    }
                }
            }
            _ => Ok(None),
        },
    }
}

fn apply_tag(
    browser: &mut Browser,
    target: &TagTarget,
    tag: &str,
    remove: bool,
    env: &Env,
) -> anyhow::Result<Option<Status>> {
    let lang = env.settings.lang;
    let tag_shown = clean(tag);
    match target {
        TagTarget::One { msg_key, .. } => {
            if remove {
                browser.recorder()?.remove_tag(&[*msg_key], tag)?;
            } else {
                browser.recorder()?.add_tag(&[*msg_key], tag, None)?;
            }
            browser.refresh_message(*msg_key, env)?;
            Ok(Some(Status::info(match (lang, remove) {
                (Lang::Ja, false) => format!("タグ「{tag_shown}」を付けました"),
                (Lang::Ja, true) => format!("タグ「{tag_shown}」を外しました"),
                (Lang::En, false) => format!("tagged \"{tag_shown}\""),
                (Lang::En, true) => format!("removed the tag \"{tag_shown}\""),
            })))
        }
        TagTarget::All { keys, query } => {
            let added = browser.recorder()?.add_tag(keys, tag, Some(query))?;
            for screen in &mut browser.screens {
                if let Screen::Search(state) = screen
                    && let Some(results) = state.results.as_mut()
                {
                    for hit in &mut results.hits {
                        if !hit.message.tags.iter().any(|existing| existing == tag) {
                            hit.message.tags.push(tag.to_string());
                        }
                    }
                }
            }
            Ok(Some(Status::info(match lang {
                Lang::Ja => format!(
                    "{} 件にタグ「{tag_shown}」を付けました（新たに {} 件）",
                    browser.format_count(keys.len()),
                    browser.format_count(added)
                ),
                Lang::En => format!(
                    "tagged {} results \"{tag_shown}\" ({} newly)",
                    browser.format_count(keys.len()),
                    browser.format_count(added)
                ),
            })))
        }
    }
}

/// Returns a box of at most `width` x `height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// Draws the overlay over `area`; returns where the text cursor goes.
/// `export` is the running export, which the export dialog shows.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    overlay: &Overlay,
    export: Option<&ExportRun>,
    ui: &Ui<'_>,
) -> Option<Position> {
    match overlay {
        Overlay::None => None,
        Overlay::Help {
            context,
            scroll,
            under,
        } => {
            if let Some(under) = under {
                draw(buf, area, under, export, ui);
            }
            draw_help(buf, area, *context, *scroll, ui);
            None
        }
        Overlay::Export(dialog) => export_dialog::draw::draw(buf, area, dialog, export, ui),
        Overlay::Prompt(prompt) => draw_prompt(buf, area, prompt, ui),
        Overlay::Choice(choice) => {
            draw_choice(buf, area, choice, ui);
            None
        }
    }
}

/// Returns the rows of the key list of `context`: keys and description.
pub fn help_rows(context: Context, lang: Lang) -> Vec<(String, &'static str)> {
    let mut rows = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for table in keymap::tables(context) {
        for binding in table {
            let keys = binding.key_labels();
            // A screen binding shadows a global one on the same keys.
            if seen.contains(&keys) {
                continue;
            }
            seen.push(keys.clone());
            rows.push((keys, binding.description(lang)));
        }
    }
    if context.takes_text() {
        rows.push((
            lang.pick("文字", "characters").to_string(),
            lang.pick("入力（貼り付けも可）", "typed or pasted text"),
        ));
    }
    rows
}

fn draw_help(buf: &mut Buffer, area: Rect, context: Context, scroll: usize, ui: &Ui<'_>) {
    let rows = help_rows(context, ui.settings.lang);
    let height = (rows.len() as u16 + 2).min(area.height);
    let box_area = centered(area, 64, height);
    clear_for_overlay(buf, box_area);
    let visible = usize::from(box_area.height.saturating_sub(2));
    let scroll = scroll.min(rows.len().saturating_sub(visible));
    let title = if visible < rows.len() {
        match ui.settings.lang {
            Lang::Ja => format!(
                "キー一覧 {}-{}/{}（j/k で移動、? か Esc で閉じる）",
                scroll + 1,
                (scroll + visible).min(rows.len()),
                rows.len()
            ),
            Lang::En => format!(
                "Keys {}-{}/{} (j/k scroll, ? or Esc closes)",
                scroll + 1,
                (scroll + visible).min(rows.len()),
                rows.len()
            ),
        }
    } else {
        ui.pick("キー一覧（? か Esc で閉じる）", "Keys (? or Esc closes)")
            .to_string()
    };
    let inner = framed(
        buf,
        box_area,
        &Line::styled(title, style::title()),
        true,
        ui,
    );
    for (index, (keys, description)) in rows
        .iter()
        .skip(scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        let y = inner.y + index as u16;
        let line = Line::from(vec![Span::styled(keys.clone(), style::key())]);
        paint_line(
            buf,
            inner.x,
            y,
            22.min(inner.width),
            &line,
            ui.settings.ambiguous,
        );
        let x = inner.x + 23.min(inner.width);
        paint_line(
            buf,
            x,
            y,
            inner.right().saturating_sub(x),
            &Line::raw(*description),
            ui.settings.ambiguous,
        );
    }
}

fn draw_prompt(buf: &mut Buffer, area: Rect, prompt: &Prompt, ui: &Ui<'_>) -> Option<Position> {
    let box_area = centered(area, 64, 6);
    clear_for_overlay(buf, box_area);
    let title = match &prompt.kind {
        PromptKind::Date => ui.pick("日付へ移動", "Go to a date").to_string(),
        PromptKind::Tag(TagTarget::One { .. }) => ui.pick("タグを入力", "Enter a tag").to_string(),
        PromptKind::Tag(TagTarget::All { keys, .. }) => match ui.settings.lang {
            Lang::Ja => format!(
                "検索結果 {} 件に付けるタグ",
                format::count(keys.len() as i64)
            ),
            Lang::En => format!("Tag for {} results", format::count(keys.len() as i64)),
        },
        PromptKind::Note { .. } => ui
            .pick("メモ（空にすると削除）", "Note (empty removes it)")
            .to_string(),
    };

    let inner = framed(
        buf,
        box_area,
        &Line::styled(title, style::title()),
        true,
        ui,
    );
    if inner.height == 0 {
        return None;
    }

    let hint = match prompt.kind {
        PromptKind::Date => ui.pick(
            "例: 2024-03-05 または 2024-03-05 10:30",
            "e.g. 2024-03-05 or 2024-03-05 10:30",
        ),
        _ => ui.pick("Enter 確定  Esc やめる", "Enter confirm  Esc cancel"),
    };
    paint_line(
        buf,
        inner.x,
        inner.y,
        inner.width,
        &Line::styled(hint, style::dim()),
        ui.settings.ambiguous,
    );

    // The field goes below the hint, or over it when the box has one row.
    let field = Rect::new(inner.x, inner.y + 1.min(inner.height - 1), inner.width, 1);
    fill(
        buf,
        field.x,
        field.y,
        field.width,
        style::selected_unfocused(),
    );
    let caret = prompt.input.render(
        buf,
        field,
        style::selected_unfocused(),
        ui.settings.ambiguous,
    );

    if let Some(error) = &prompt.error
        && inner.height > 2
    {
        paint_line(
            buf,
            inner.x,
            inner.y + 2,
            inner.width,
            &Line::styled(clean(error), style::error()),
            ui.settings.ambiguous,
        );
    }
    caret
}

fn draw_choice(buf: &mut Buffer, area: Rect, choice: &Choice, ui: &Ui<'_>) {
    let height = (choice.options.len() as u16 + 2).min(area.height);
    let box_area = centered(area, 44, height);
    clear_for_overlay(buf, box_area);
    let title = match &choice.target {
        TagTarget::One { .. } => ui
            .pick(
                "タグ（付いているものは外す）",
                "Tag (a present tag is removed)",
            )
            .to_string(),
        TagTarget::All { keys, .. } => match ui.settings.lang {
            Lang::Ja => format!("検索結果 {} 件にタグ", format::count(keys.len() as i64)),
            Lang::En => format!("Tag {} results", format::count(keys.len() as i64)),
        },
    };
    let inner = framed(
        buf,
        box_area,
        &Line::styled(title, style::title()),
        true,
        ui,
    );
    let offset = choice
        .selected
        .saturating_sub(usize::from(inner.height).saturating_sub(1));
    for (index, option) in choice
        .options
        .iter()
        .enumerate()
        .skip(offset)
        .take(usize::from(inner.height))
    {
        let y = inner.y + (index - offset) as u16;
        let row_style = if index == choice.selected {
            style::selected()
        } else {
            ratatui::style::Style::new()
        };
        fill(buf, inner.x, y, inner.width, row_style);
        let label = match &option.tag {
            Some(tag) => format!(
                "{} {}",
                if option.present { "[x]" } else { "[ ]" },
                clean(tag)
            ),
            None => ui.pick("    自由に入力…", "    other…").to_string(),
        };
        paint_line(
            buf,
            inner.x,
            y,
            inner.width,
            &Line::styled(label, row_style),
            ui.settings.ambiguous,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_timeline_key() {
        let rows = help_rows(Context::Timeline, Lang::Ja);
        let keys: Vec<&str> = rows.iter().map(|(keys, _)| keys.as_str()).collect();
        for key in [
            "Enter", "r", "d", "p", "n", "N", "t", "s", "m", "j ↓", "q Ctrl-c", "?",
        ] {
            assert!(keys.contains(&key), "{key} missing from {keys:?}");
        }
    }

    #[test]
    fn help_rows_have_descriptions_in_both_languages() {
        for lang in [Lang::Ja, Lang::En] {
            for (keys, description) in help_rows(Context::Search, lang) {
                assert!(!description.is_empty(), "{keys}");
            }
        }
    }
}
