//! HTML reports: self-contained pages that open offline in any browser and
//! print on A4, with no script and no external resource.
//!
//! A room, a set of rooms or a set of messages becomes one file. The whole
//! organization becomes a folder with `index.html` (header, source files,
//! table of contents) and one file per room, so no page grows with the
//! size of the organization. Pages are written message window by message
//! window and flushed as they go; memory stays bounded by one window.

mod diff;
pub mod escape;
mod notation;
pub mod page;

use std::path::{Path, PathBuf};

use super::output::{HashingFile, OutputFile, Staging};
use super::plain::PlainRenderer;
use super::plan::{Plan, PlannedRoom, Windows};
use super::{Context, ExportError, Progress};
pub use notation::Highlighter;
use notation::{BodyRenderer, is_digits};
use page::{MessageParts, Sources};

/// File name of the first page of a folder export.
pub const INDEX_FILE: &str = "index.html";

/// Bytes of HTML collected before they are written to the file.
const FLUSH_AT: usize = 1 << 16;

/// The files the HTML export wrote.
pub struct HtmlOutcome {
    pub files: Vec<OutputFile>,
}

/// Returns the file name of a room's page inside a folder export.
pub fn room_file_name(planned: &PlannedRoom) -> String {
    if is_digits(&planned.room.room_id) {
        format!("room-{}.html", planned.room.room_id)
    } else {
        format!("room-k{}.html", planned.room.room_key)
    }
}

/// A page being written: HTML is collected in a buffer and flushed to the file.
struct PageWriter {
    file: HashingFile,
    buffer: String,
}

impl PageWriter {
    fn new(file: HashingFile) -> PageWriter {
        PageWriter {
            file,
            buffer: String::with_capacity(FLUSH_AT * 2),
        }
    }

    fn flush_if_full(&mut self) -> Result<(), ExportError> {
        if self.buffer.len() >= FLUSH_AT {
            self.file.put(self.buffer.as_bytes())?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<OutputFile, ExportError> {
        self.file.put(self.buffer.as_bytes())?;
        self.file.finish()
    }
}

/// Writes the HTML of a plan: a folder when `folder` is set, else one file.
pub fn write(
    context: &Context<'_>,
    plan: &Plan,
    staging: &mut Staging,
    folder: bool,
    progress: &mut Progress<'_>,
) -> Result<HtmlOutcome, ExportError> {
    if folder {
        write_folder(context, plan, staging, &context.request.out, progress)
    } else {
        write_single(context, plan, staging, progress)
    }
}

fn write_single(
    context: &Context<'_>,
    plan: &Plan,
    staging: &mut Staging,
    progress: &mut Progress<'_>,
) -> Result<HtmlOutcome, ExportError> {
    let lang = context.request.lang;
    let title = page::report_title(lang);
    let mut page = PageWriter::new(staging.create(&context.request.out)?);
    page::push_head(&mut page.buffer, title, lang);
    page::push_report_header(&mut page.buffer, context, plan, title, Sources::Table);
    page::push_toc(&mut page.buffer, plan, lang, &|planned| {
        format!("#{}", page::room_anchor(planned))
    });
    if plan.rooms.is_empty() {
        page.buffer.push_str("<p class=\"note\">");
        page.buffer.push_str(lang.pick(
            "この範囲に該当するメッセージはありません。",
            "No messages are in this scope.",
        ));
        page.buffer.push_str("</p>\n");
    }
    for planned in &plan.rooms {
        write_room(context, plan, planned, &mut page, progress)?;
    }
    page::push_tail(&mut page.buffer, context);
    Ok(HtmlOutcome {
        files: vec![page.finish()?],
    })
}

fn write_folder(
    context: &Context<'_>,
    plan: &Plan,
    staging: &mut Staging,
    dir: &Path,
    progress: &mut Progress<'_>,
) -> Result<HtmlOutcome, ExportError> {
    let lang = context.request.lang;
    let title = page::report_title(lang);
    let mut files = Vec::with_capacity(plan.rooms.len() + 1);

    let mut index = PageWriter::new(staging.create(&dir.join(INDEX_FILE))?);
    page::push_head(&mut index.buffer, title, lang);
    page::push_report_header(&mut index.buffer, context, plan, title, Sources::Table);
    page::push_toc(&mut index.buffer, plan, lang, &|planned| {
        room_file_name(planned)
    });
    page::push_tail(&mut index.buffer, context);
    files.push(index.finish()?);

    for planned in &plan.rooms {
        let path: PathBuf = dir.join(room_file_name(planned));
        let mut room_page = PageWriter::new(staging.create(&path)?);
        let room_title = format!("{} — {}", planned.room.display_name(lang), title);
        page::push_head(&mut room_page.buffer, &room_title, lang);
        page::push_report_header(
            &mut room_page.buffer,
            context,
            plan,
            title,
            Sources::See(INDEX_FILE),
        );
        write_room(context, plan, planned, &mut room_page, progress)?;
        page::push_tail(&mut room_page.buffer, context);
        files.push(room_page.finish()?);
    }
    Ok(HtmlOutcome { files })
}

/// Writes one room's section, reading its messages window by window.
fn write_room(
    context: &Context<'_>,
    plan: &Plan,
    planned: &PlannedRoom,
    page: &mut PageWriter,
    progress: &mut Progress<'_>,
) -> Result<(), ExportError> {
    let request = context.request;
    let highlighter = plan
        .query
        .as_ref()
        .and_then(|query| Highlighter::new(query.positive_words()));
    let body = BodyRenderer {
        names: &context.names,
        lang: request.lang,
        zone: request.zone,
        room_id: &planned.room.room_id,
        highlighter: highlighter.as_ref(),
    };
    let plain = PlainRenderer {
        names: &context.names,
        lang: request.lang,
        zone: request.zone,
    };
    page::push_room_start(&mut page.buffer, planned, request.lang);
    let mut windows = Windows::new(context.reader, planned);
    while let Some(window) = windows.next_window()? {
        for message in &window {
            let files = if message.has_file {
                context.reader.files(message.msg_key)?
            } else {
                Vec::new()
            };
            let history = if request.history && message.revisions > 0 {
                context.reader.revisions(message.msg_key)?
            } else {
                Vec::new()
            };
            let parts = MessageParts {
                message,
                files: &files,
                history: &history,
                history_included: request.history,
            };
            page::push_message(&mut page.buffer, &parts, &body, &plain);
            page.flush_if_full()?;
        }
        progress.advance(window.len() as u64)?;
    }
    page::push_room_end(&mut page.buffer);
    Ok(())
}
