//! End-to-end test of the console in a real terminal: the binary runs in
//! a detached tmux session of 120x40, and the test reads the screen with
//! `capture-pane`. It opens the sample case, opens a room, searches,
//! exports the search results with the export dialog, quits and checks
//! that the process exited 0 and left the alternate screen. A second test
//! opens a case while `cwlens import` writes it.
//!
//! The test is skipped, with a note on stderr, when tmux is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Maximum wait for one expected screen. It is generous because the
/// machine may be busy with other builds.
const TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(100);

struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts a tmux server of its own with one 120x40 session named
    /// `console` that runs `command` in a shell.
    fn start(socket: String, command: &str) -> Tmux {
        let tmux = Tmux { socket };
        let started = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "console",
            "-x",
            "120",
            "-y",
            "40",
            command,
        ]);
        assert!(
            started.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            // tmux draws wide characters only under a UTF-8 locale.
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("running tmux")
    }

    fn capture(&self) -> String {
        let output = self.run(&["capture-pane", "-p", "-t", "console"]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "console"];
        args.extend_from_slice(keys);
        let output = self.run(&args);
        assert!(output.status.success(), "send-keys {keys:?} failed");
    }

    /// Types text literally, so Japanese and `/` are not read as key names.
    fn type_text(&self, text: &str) {
        self.send_keys(&["-l", text]);
    }

    /// Polls the screen until `ready` accepts it; panics with the last
    /// screen after [`TIMEOUT`].
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.capture();
            if ready(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out after {TIMEOUT:?} waiting for {what}; the screen was:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|output| output.status.success())
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cwlens"))
}

fn import_sample(case: &Path) {
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
    let output = Command::new(binary())
        .arg("import")
        .arg(&export)
        .arg("--case")
        .arg(case)
        .args([
            "--investigator",
            "調査 太郎",
            "--purpose",
            "端末テスト",
            "--quiet",
        ])
        .output()
        .expect("running cwlens import");
    assert!(
        output.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn console_opens_searches_and_quits_in_tmux() {
    if !tmux_available() {
        eprintln!("note: tmux is not installed; skipping the terminal end-to-end test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    import_sample(&case);
    let exit_file = dir.path().join("exit-code");

    // The shell records the exit code, then keeps the pane open so the
    // restored screen can be read.
    let command = format!(
        "{} open {}; echo \"EXIT=$?\" > {}; echo restored; sleep 120",
        shell_quote(&binary()),
        shell_quote(&case),
        shell_quote(&exit_file),
    );
    let tmux = Tmux::start(format!("cwlens-test-{}", std::process::id()), &command);

    let rooms = tmux.wait_for("the room list", |screen| screen.contains("ルーム一覧"));
    for room in ["全社連絡", "営業部", "相談対応（人事・法務）"] {
        assert!(rooms.contains(room), "{room} missing from:\n{rooms}");
    }
    assert!(
        rooms.contains("端末テスト"),
        "the purpose is in the status bar:\n{rooms}"
    );
    let lines: Vec<&str> = rooms.lines().collect();
    assert!(
        lines[1].starts_with('┌') && lines[1].ends_with('┐'),
        "frame top:\n{rooms}"
    );

    tmux.send_keys(&["Enter"]);
    let timeline = tmux.wait_for("a room's timeline", |screen| {
        screen.contains("(グループ)") && screen.contains("+09:00")
    });
    assert!(timeline.contains(" › "), "breadcrumb:\n{timeline}");

    tmux.type_text("/");
    tmux.wait_for("the search box", |screen| screen.contains("検索語:"));
    tmux.type_text("給料泥棒");
    tmux.wait_for("the live count", |screen| screen.contains("3 件"));
    tmux.send_keys(&["Enter"]);
    // The title shows the query at once; the hits follow from the search thread.
    let results = tmux.wait_for("the search results", |screen| {
        screen.contains("「給料泥棒」") && screen.contains("営業部")
    });
    assert!(
        results.contains("権藤 剛"),
        "the sender of a hit:\n{results}"
    );
    assert!(
        results.contains("[変更前]"),
        "a hit in an earlier version:\n{results}"
    );

    // Export the results with the dialog's defaults: CSV beside the case.
    tmux.type_text("e");
    tmux.wait_for("the export dialog", |screen| screen.contains("書き出し先"));
    tmux.send_keys(&["Enter"]);
    let exported = tmux.wait_for("the finished export", |screen| {
        screen.contains("書き出しました")
    });
    let written: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with("case-search-")
                && name.ends_with(".csv")
                && !name.contains(".revisions")
        })
        .collect();
    assert_eq!(written.len(), 1, "{written:?}\n{exported}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        exported.contains(&name),
        "the dialog names {name}:\n{exported}"
    );
    let text = std::fs::read_to_string(&written[0]).unwrap();
    let records = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .count();
    assert_eq!(records, 3, "one row per search result");
    let mut manifest = written[0].clone().into_os_string();
    manifest.push(".manifest.json");
    assert!(PathBuf::from(manifest).is_file());
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the results again", |screen| {
        !screen.contains("書き出しました")
    });

    tmux.type_text("q");
    tmux.wait_for("the shell after quitting", |screen| {
        screen.contains("restored")
    });
    let screen = tmux.capture();
    assert!(
        !screen.contains("ルーム一覧"),
        "the alternate screen was left:\n{screen}"
    );

    let code = std::fs::read_to_string(&exit_file).expect("the shell wrote the exit code");
    assert_eq!(code.trim(), "EXIT=0");

    let audit = Command::new(binary())
        .args(["audit", "--json", "--case"])
        .arg(&case)
        .output()
        .expect("running cwlens audit");
    let export_entry = String::from_utf8_lossy(&audit.stdout)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|entry| entry["action"] == "export")
        .expect("the export is in the audit log");
    let detail: serde_json::Value =
        serde_json::from_str(export_entry["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["interface"], "tui");
    assert_eq!(detail["scope"]["kind"], "query");
}

/// A console opened while another process imports into the case reads
/// the case, warns that its counts and results are incomplete, leaves the
/// import to finish, and then reads the finished case.
#[test]
fn console_during_import_in_tmux() {
    if !tmux_available() {
        eprintln!("note: tmux is not installed; skipping the terminal end-to-end test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    let case = dir.path().join("case");
    let generated = Command::new(binary())
        .args([
            "generate",
            "--rooms",
            "20",
            "--messages",
            "300000",
            "--seed",
            "7",
            "--out",
        ])
        .arg(&export)
        .output()
        .expect("running cwlens generate");
    assert!(generated.status.success(), "generate failed");
    let mut import = Command::new(binary())
        .arg("import")
        .arg(&export)
        .arg("--case")
        .arg(&case)
        .args(["--purpose", "同時読み取りの確認", "--quiet"])
        .spawn()
        .expect("starting cwlens import");
    let started = Instant::now();
    while !cwlens::store::import_running(&case) {
        assert!(
            started.elapsed() < TIMEOUT,
            "the import never took its lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }

    let command = format!(
        "{} open {}; echo \"EXIT=$?\"; sleep 120",
        shell_quote(&binary()),
        shell_quote(&case),
    );
    let tmux = Tmux::start(
        format!("cwlens-import-test-{}", std::process::id()),
        &command,
    );
    let rooms = tmux.wait_for("the room list with the warning", |screen| {
        screen.contains("ルーム一覧") && screen.contains("取り込み中: 件数と検索結果は不完全です")
    });
    assert!(
        rooms.contains("別の cwlens がこのケースに取り込み中です"),
        "the status bar explains the warning:\n{rooms}"
    );
    let status = import.wait().expect("waiting for the import");
    assert!(
        status.success(),
        "the import failed while the console read the case"
    );
    // The console notices the end of the import and reads the whole case.
    let finished = tmux.wait_for("the finished import", |screen| {
        screen.contains("取り込みが終わりました") && !screen.contains("取り込み中:")
    });
    assert!(finished.contains("300,000 件"), "{finished}");
    tmux.send_keys(&["q"]);
    tmux.wait_for("the console's exit", |screen| screen.contains("EXIT=0"));
    let stats = Command::new(binary())
        .args(["stats", "--json", "--case"])
        .arg(&case)
        .output()
        .expect("running cwlens stats");
    assert!(
        stats.status.success(),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["messages"], 300000, "{stats}");
}
