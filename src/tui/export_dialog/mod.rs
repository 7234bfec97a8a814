//! The export dialog (`e`): a form for the scope, format, encoding,
//! history and destination of an export, then the export's progress and
//! its result.
//!
//! The export runs on a worker thread ([`ExportJob`]) through
//! `export::run`, the function behind `cwlens export`, so it writes the
//! same files, manifest and audit entry. The dialog can be closed while
//! the export runs; the status bar then shows the progress and `e` shows
//! the dialog again.

pub mod draw;
pub mod scopes;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::TimeZone;

use super::action::Action;
use super::app::Status;
use super::browse::{Browser, Env};
use super::format::{self, Settings};
use super::jobs::{ExportEvent, ExportJob};
use super::overlay::Overlay;
use super::widgets::input::{Edit, TextInput};
use crate::export::{ExportError, ExportReport, ExportRequest, Format, Scope, TextEncoding};
use crate::i18n::Lang;
pub use scopes::ScopeChoice;

/// A field of the export form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportField {
    Scope,
    Format,
    /// CSV only; the form skips it for HTML.
    Encoding,
    History,
    Destination,
}

/// Folder and name parts of the default destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultName {
    /// The folder that contains the case folder.
    pub folder: PathBuf,
    /// Name of the case folder.
    pub case_name: String,
    /// Time the dialog opened, `YYYYMMDD-HHMMSS` in the display zone.
    pub stamp: String,
}

impl DefaultName {
    /// Names defaults after `case_dir` and `unix` (seconds) in `zone`.
    pub fn new(case_dir: &Path, unix: i64, zone: chrono_tz::Tz) -> DefaultName {
        let case_dir = std::path::absolute(case_dir).unwrap_or_else(|_| case_dir.to_path_buf());
        let folder = case_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| case_dir.clone());
        let case_name = case_dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "case".into());
        let stamp = match zone.timestamp_opt(unix, 0).single() {
            Some(time) => time.format("%Y%m%d-%H%M%S").to_string(),
            None => unix.to_string(),
        };
        DefaultName {
            folder,
            case_name,
            stamp,
        }
    }

    /// Returns the default destination of an export of `scope` as
    /// `format`: `<case>-<scope>-<time>.<csv|html>` beside the case folder,
    /// or a folder without extension for an HTML export of the whole
    /// organization. A name that is taken gets `-2`, `-3` and so on.
    pub fn path(&self, scope: &ScopeChoice, format: Format) -> PathBuf {
        let stem = format!("{}-{}-{}", self.case_name, scope.name_part, self.stamp);
        let folder = writes_folder(&scope.scope, format);
        let name = |suffix: &str| {
            if folder {
                format!("{stem}{suffix}")
            } else {
                format!("{stem}{suffix}.{}", format.as_str())
            }
        };
        let mut candidate = self.folder.join(name(""));
        let mut number = 2;
        while candidate.exists() && number < 1000 {
            candidate = self.folder.join(name(&format!("-{number}")));
            number += 1;
        }
        candidate
    }
}

fn writes_folder(scope: &Scope, format: Format) -> bool {
    format == Format::Html && *scope == Scope::Organization
}

/// The form of the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportForm {
    /// The scopes valid for the screen the dialog was opened on, the
    /// narrowest first.
    pub scopes: Vec<ScopeChoice>,
    /// Index into `scopes`.
    pub scope: usize,
    pub format: Format,
    pub encoding: TextEncoding,
    pub history: bool,
    pub destination: TextInput,
    /// True once the user edited the destination. Until then it follows
    /// the scope and the format.
    pub destination_edited: bool,
    pub focus: ExportField,
    pub error: Option<String>,
    pub naming: DefaultName,
}

const ENCODINGS: [TextEncoding; 3] = [
    TextEncoding::Utf8Bom,
    TextEncoding::Utf8,
    TextEncoding::Cp932,
];

impl ExportForm {
    /// Creates the form with the command line's defaults: the first scope,
    /// CSV in UTF-8 with BOM, earlier versions included.
    ///
    /// # Panics
    ///
    /// When `scopes` is empty. [`scopes::choices`] always offers the whole
    /// organization.
    pub fn new(scopes: Vec<ScopeChoice>, naming: DefaultName) -> ExportForm {
        assert!(!scopes.is_empty(), "the export form needs a scope");
        let mut form = ExportForm {
            scopes,
            scope: 0,
            format: Format::Csv,
            encoding: TextEncoding::default(),
            history: true,
            destination: TextInput::default(),
            destination_edited: false,
            focus: ExportField::Scope,
            error: None,
            naming,
        };
        form.refresh_destination();
        form
    }

    pub fn selected_scope(&self) -> &ScopeChoice {
        &self.scopes[self.scope]
    }

    /// Returns the fields that take the focus, in order.
    pub fn fields(&self) -> Vec<ExportField> {
        let mut fields = vec![ExportField::Scope, ExportField::Format];
        if self.format == Format::Csv {
            fields.push(ExportField::Encoding);
        }
        fields.push(ExportField::History);
        fields.push(ExportField::Destination);
        fields
    }

    /// Moves the focus by `delta` fields, wrapping around.
    pub fn move_focus(&mut self, delta: isize) {
        let fields = self.fields();
        let current = fields
            .iter()
            .position(|field| *field == self.focus)
            .unwrap_or(0);
        let next = (current as isize + delta).rem_euclid(fields.len() as isize);
        self.focus = fields[next as usize];
    }

    /// Changes the choice of the focused field by `delta` options, wrapping
    /// around. The destination field has no options.
    pub fn change(&mut self, delta: isize) {
        let step =
            |index: usize, len: usize| (index as isize + delta).rem_euclid(len as isize) as usize;
        match self.focus {
            ExportField::Scope => self.scope = step(self.scope, self.scopes.len()),
            ExportField::Format => {
                self.format = match self.format {
                    Format::Csv => Format::Html,
                    Format::Html => Format::Csv,
                }
            }
            ExportField::Encoding => {
                let index = ENCODINGS
                    .iter()
                    .position(|encoding| *encoding == self.encoding)
                    .unwrap_or(0);
                self.encoding = ENCODINGS[step(index, ENCODINGS.len())];
            }
            ExportField::History => self.history = !self.history,
            ExportField::Destination => return,
        }
        self.error = None;
        self.refresh_destination();
    }

    /// Applies an edit to the destination field.
    pub fn edit(&mut self, edit: &Edit) {
        if self.destination.apply(edit) {
            self.destination_edited = true;
            self.error = None;
        }
    }

    /// Puts the default destination into the field until the user edits it.
    fn refresh_destination(&mut self) {
        if !self.destination_edited {
            let path = self.naming.path(self.selected_scope(), self.format);
            self.destination = TextInput::with_text(&path.to_string_lossy());
        }
    }

    /// Returns the request the form describes, or the message to show
    /// when the destination is missing.
    pub fn request(&self, settings: &Settings) -> Result<ExportRequest, String> {
        let lang = settings.lang;
        let text = self.destination.text().trim();
        if text.is_empty() {
            return Err(lang
                .pick(
                    "書き出し先のパスを入力してください",
                    "enter the destination path",
                )
                .into());
        }
        let out = expand_home(text);
        let out = std::path::absolute(&out).unwrap_or(out);
        Ok(ExportRequest {
            scope: self.selected_scope().scope.clone(),
            format: self.format,
            encoding: self.encoding,
            history: self.history,
            out,
            lang,
            zone: settings.zone,
            plain_ids: false,
            force: false,
            interface: "tui",
        })
    }
}

/// Replaces a leading `~` with the home folder, as a shell would.
fn expand_home(text: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|home| !home.is_empty());
    match (text.strip_prefix('~'), home) {
        (Some(""), Some(home)) => PathBuf::from(home),
        (Some(rest), Some(home)) if rest.starts_with('/') => {
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(text),
    }
}

/// Outcome of an export that ended without an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    Written(WrittenSummary),
    /// Cancelled; nothing was written.
    Cancelled,
}

/// The counts and files of a written export, for the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenSummary {
    pub rooms: u64,
    pub messages: u64,
    pub earlier_versions: u64,
    /// The output files and the manifest, or for a folder export the folder.
    pub paths: Vec<PathBuf>,
    /// Files inside the folder of a folder export; 0 for file exports.
    pub folder_files: usize,
    /// Messages with characters that CP932 could not hold.
    pub replaced_messages: u64,
    /// CSV cells that got a leading `'`.
    pub neutralized_cells: u64,
}

impl WrittenSummary {
    pub fn new(report: &ExportReport, request: &ExportRequest) -> WrittenSummary {
        let folder = request.writes_folder();
        let paths = if folder {
            vec![request.out.clone()]
        } else {
            report
                .outputs
                .iter()
                .chain(std::iter::once(&report.manifest))
                .map(|file| file.path.clone())
                .collect()
        };
        WrittenSummary {
            rooms: report.counts.rooms,
            messages: report.counts.messages,
            earlier_versions: report.counts.earlier_versions,
            paths,
            folder_files: if folder { report.outputs.len() + 1 } else { 0 },
            replaced_messages: report.replaced_total,
            neutralized_cells: report.neutralized_cells,
        }
    }
}

/// The dialog's current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportDialog {
    Form(ExportForm),
    /// The browser's running export, drawn from its progress.
    Progress,
    Finished(Finished),
}

/// An export running on its worker thread, with the latest progress.
pub struct ExportRun {
    job: ExportJob,
    /// The form the export was started from, shown again when it fails.
    form: ExportForm,
    pub request: ExportRequest,
    /// Description of the scope, as the form showed it.
    pub scope_label: String,
    /// Messages written and in total, or `None` while the export still
    /// resolves its scope.
    pub progress: Option<(u64, u64)>,
    pub started: Instant,
}

impl std::fmt::Debug for ExportRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRun")
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

impl ExportRun {
    pub fn cancel_requested(&self) -> bool {
        self.job.cancel_requested()
    }

    /// Returns a run with no export behind it, for drawing tests.
    #[cfg(test)]
    pub fn idle(
        form: ExportForm,
        request: ExportRequest,
        progress: Option<(u64, u64)>,
    ) -> ExportRun {
        ExportRun {
            job: ExportJob::idle(),
            scope_label: form.selected_scope().label.clone(),
            form,
            request,
            progress,
            started: Instant::now(),
        }
    }
}

/// Opens the dialog: the form on the scopes of the top screen, or the
/// progress of the export that is already running.
pub fn open(browser: &Browser, overlay: &mut Overlay, env: &Env) -> anyhow::Result<Option<Status>> {
    if browser.export.is_some() {
        *overlay = Overlay::Export(Box::new(ExportDialog::Progress));
        return Ok(None);
    }
    let scopes = scopes::choices(browser, env.settings.lang)?;
    let naming = DefaultName::new(
        &browser.case_dir,
        chrono::Utc::now().timestamp(),
        env.settings.zone,
    );
    let form = ExportForm::new(scopes, naming);
    *overlay = Overlay::Export(Box::new(ExportDialog::Form(form)));
    Ok(None)
}

/// Applies one action to the open dialog.
pub fn update(
    overlay: &mut Overlay,
    browser: &mut Browser,
    action: Action,
    env: &Env,
) -> anyhow::Result<Option<Status>> {
    let lang = env.settings.lang;
    let Overlay::Export(dialog) = overlay else {
        return Ok(None);
    };
    match dialog.as_mut() {
        ExportDialog::Form(form) => {
            match action {
                Action::Cancel => *overlay = Overlay::None,
                Action::FocusNext | Action::Down => form.move_focus(1),
                Action::FocusPrevious | Action::Up => form.move_focus(-1),
                Action::OptionNext => form.change(1),
                Action::OptionPrevious => form.change(-1),
                Action::Edit(edit) if form.focus == ExportField::Destination => form.edit(&edit),
                Action::Paste(text) if form.focus == ExportField::Destination => {
                    form.edit(&Edit::Insert(text))
                }
                Action::Submit if browser.export.is_some() => {
                    form.error = Some(
                        lang.pick(
                            "別の書き出しが実行中です。終わるか中止してから始めてください",
                            "another export is running; wait for it or cancel it first",
                        )
                        .into(),
                    );
                }
                Action::Submit => match form.request(&env.settings) {
                    Ok(request) => {
                        let form = form.clone();
                        start(browser, form, request);
                        **dialog = ExportDialog::Progress;
                    }
                    Err(message) => {
                        form.error = Some(message);
                        form.focus = ExportField::Destination;
                    }
                },
                _ => {}
            }
            Ok(None)
        }
        ExportDialog::Progress => match action {
            Action::CancelExport => {
                let Some(run) = &browser.export else {
                    *overlay = Overlay::None;
                    return Ok(None);
                };
                run.job.cancel();
                Ok(None)
            }
            Action::Back => {
                *overlay = Overlay::None;
                Ok(browser.export.as_ref().map(|_| {
                    Status::info(lang.pick(
                        "書き出しは続いています。e で進み具合を表示します",
                        "the export goes on; press e to see its progress",
                    ))
                }))
            }
            _ => Ok(None),
        },
        ExportDialog::Finished(_) => {
            if action == Action::Back {
                *overlay = Overlay::None;
            }
            Ok(None)
        }
    }
}

/// Starts the export of `request` on a worker thread.
fn start(browser: &mut Browser, form: ExportForm, request: ExportRequest) {
    tracing::info!(
        format = request.format.as_str(),
        history = request.history,
        "export started from the console"
    );
    let job = ExportJob::start(browser.case_dir.clone(), request.clone());
    browser.export = Some(ExportRun {
        job,
        scope_label: form.selected_scope().label.clone(),
        form,
        request,
        progress: None,
        started: Instant::now(),
    });
}

/// Takes in the progress of the running export. When it has ended, shows
/// the result in the dialog if the dialog is open, and returns the status
/// line to show either way.
pub fn poll(browser: &mut Browser, overlay: &mut Overlay, env: &Env) -> Option<Status> {
    let lang = env.settings.lang;
    let run = browser.export.as_mut()?;
    let mut result = None;
    for event in run.job.poll() {
        match event {
            ExportEvent::Progress { done, total } => run.progress = Some((done, total)),
            ExportEvent::Finished(finished) => result = Some(finished.map_err(Some)),
            ExportEvent::Lost => result = Some(Err(None)),
        }
    }
    let result = result?;
    let run = browser.export.take()?;
    let visible = visible_progress_dialog(overlay);
    match result {
        Ok(report) => {
            let summary = WrittenSummary::new(&report, &run.request);
            let status = written_status(&summary, &run.request, lang);
            if let Some(dialog) = visible {
                *dialog = ExportDialog::Finished(Finished::Written(summary));
            }
            Some(Status::info(status))
        }
        Err(Some(ExportError::Cancelled)) => {
            if let Some(dialog) = visible {
                *dialog = ExportDialog::Finished(Finished::Cancelled);
            }
            Some(Status::info(lang.pick(
                "書き出しを中止しました。何も書き出していません",
                "the export was cancelled; nothing was written",
            )))
        }
        Err(error) => {
            let message = match error {
                Some(error) => error_text(&error, lang),
                None => lang
                    .pick(
                        "書き出しが結果を返さずに止まりました。ログを確認してください",
                        "the export stopped without a result; see the log",
                    )
                    .to_string(),
            };
            if let Some(dialog) = visible {
                let mut form = run.form.clone();
                form.error = Some(message.clone());
                form.focus = ExportField::Destination;
                *dialog = ExportDialog::Form(form);
            }
            Some(Status::error(message))
        }
    }
}

/// Returns the progress dialog when it is on screen, also under the key list.
fn visible_progress_dialog(overlay: &mut Overlay) -> Option<&mut ExportDialog> {
    match overlay {
        Overlay::Export(dialog) if **dialog == ExportDialog::Progress => Some(dialog.as_mut()),
        Overlay::Help {
            under: Some(under), ..
        } => visible_progress_dialog(under),
        _ => None,
    }
}

fn written_status(summary: &WrittenSummary, request: &ExportRequest, lang: Lang) -> String {
    let path = request.out.display();
    match lang {
        Lang::Ja => format!(
            "書き出しました: {path}（メッセージ {} 件）",
            format::count(summary.messages as i64)
        ),
        Lang::En => format!(
            "exported {} messages to {path}",
            format::count(summary.messages as i64)
        ),
    }
}

/// Returns the message for a failed export in the console's language. The
/// texts name no command-line option, because the console has none.
pub fn error_text(error: &ExportError, lang: Lang) -> String {
    crate::export::error_message(error, lang, crate::export::Interface::Console)
}

#[cfg(test)]
mod tests;
