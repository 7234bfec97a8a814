//! Edit and delete history: which messages change after sending, when, and
//! what their earlier text was.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::text;

/// Share of user messages that are edited once or twice.
const EDITED_SHARE: f64 = 0.03;
/// Share of user messages that are deleted, some of them after an edit.
const DELETED_SHARE: f64 = 0.01;

/// One message_logs.csv row: a change to a message and the text before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Unix seconds.
    pub time: i64,
    pub body_before: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Edit,
    Delete,
}

impl ChangeKind {
    /// Returns the 操作 column value.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Edit => "編集",
            ChangeKind::Delete => "削除",
        }
    }
}

/// Decides whether the message with the final text `body`, sent at
/// `send_time`, is edited or deleted, and appends the changes in time
/// order to `changes`. The caller writes `[delete]` as the body when the
/// last change is a deletion.
pub fn push_changes(rng: &mut ChaCha8Rng, body: &str, send_time: i64, changes: &mut Vec<Change>) {
    let draw: f64 = rng.random();
    if draw < DELETED_SHARE {
        // A fifth of the deleted messages were edited before.
        let mut time = send_time + rng.random_range(60..=7 * 86_400);
        if rng.random_bool(0.2) {
            let edit_time = send_time + rng.random_range(10..=3600);
            changes.push(Change {
                kind: ChangeKind::Edit,
                time: edit_time,
                body_before: earlier_version(rng, body),
            });
            time = time.max(edit_time + 60);
        }
        changes.push(Change {
            kind: ChangeKind::Delete,
            time,
            body_before: body.to_string(),
        });
    } else if draw < DELETED_SHARE + EDITED_SHARE {
        let edits = if rng.random_bool(0.7) { 1 } else { 2 };
        let mut versions = vec![body.to_string()];
        for _ in 0..edits {
            let later = versions.last().expect("starts with the final text");
            versions.push(earlier_version(rng, later));
        }
        // `versions` runs from newest to oldest. The oldest is the text before
        // the first edit.
        let mut time = send_time;
        for version in versions.into_iter().skip(1).rev() {
            time += rng.random_range(10..=7200);
            changes.push(Change {
                kind: ChangeKind::Edit,
                time,
                body_before: version,
            });
        }
    }
}

/// Returns a plausible draft that an edit turned into `body`: a different
/// number, a missing last sentence or an extra sentence. The draft keeps
/// every tag of `body` intact.
pub fn earlier_version(rng: &mut ChaCha8Rng, body: &str) -> String {
    let digit = last_digit_outside_tags(body);
    let sentence_end = last_sentence_break(body);
    let choice = rng.random_range(0..3);

    if choice == 0
        && let Some(position) = digit
    {
        let old = body.as_bytes()[position] - b'0';
        let new = (old + rng.random_range(1..=9)) % 10;
        let mut draft = body.to_string();
        draft.replace_range(position..position + 1, &new.to_string());
        return draft;
    }
    if choice == 1
        && let Some(end) = sentence_end
    {
        return body[..end].to_string();
    }

    let mut draft = body.to_string();
    draft.push('\n');
    text::push_sentence(rng, &mut draft);
    draft
}

/// Byte position of the last ASCII digit that is not inside `[...]`.
fn last_digit_outside_tags(body: &str) -> Option<usize> {
    let mut inside_tag = false;
    let mut last = None;
    for (position, byte) in body.bytes().enumerate() {
        match byte {
            b'[' => inside_tag = true,
            b']' => inside_tag = false,
            b'0'..=b'9' if !inside_tag => last = Some(position),
            _ => {}
        }
    }
    last
}

/// Byte position just after a `。` that ends a sentence before the last
/// one, looking only past the last tag.
fn last_sentence_break(body: &str) -> Option<usize> {
    let after_tags = body.rfind(']').map_or(0, |position| position + 1);
    let tail = &body[after_tags..];
    let trimmed = tail.trim_end().trim_end_matches('。');
    let position = trimmed.rfind('。')?;
    Some(after_tags + position + '。'.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn earlier_version_differs() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let bodies = [
            "了解です",
            "14時から会議室Aです。よろしくお願いします。",
            "[To:1234567]佐藤さん\n見積書を共有しました。",
        ];
        for body in bodies {
            for _ in 0..50 {
                let draft = earlier_version(&mut rng, body);
                assert_ne!(draft, body);
            }
        }
    }

    #[test]
    fn earlier_version_keeps_tag_ids() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let body = "[To:1234567]佐藤さん\n[download:200000001]見積書.pdf (10.00 KB)[/download]";
        for _ in 0..50 {
            let draft = earlier_version(&mut rng, body);
            assert!(draft.contains("[To:1234567]"), "{draft}");
            assert!(draft.contains("[download:200000001]"), "{draft}");
        }
    }

    #[test]
    fn last_sentence_break_ignores_final_period() {
        let body = "確認しました。修正します。";
        assert_eq!(last_sentence_break(body), Some("確認しました。".len()));
        assert_eq!(last_sentence_break("確認しました。"), None);
    }

    #[test]
    fn changes_are_in_time_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut changed = 0;
        for _ in 0..5000 {
            let mut changes = Vec::new();
            push_changes(
                &mut rng,
                "会議は15時からです。",
                1_700_000_000,
                &mut changes,
            );
            if !changes.is_empty() {
                changed += 1;
            }
            assert!(changes.windows(2).all(|pair| pair[0].time < pair[1].time));
            assert!(changes.iter().all(|change| change.time > 1_700_000_000));
            let deletes = changes
                .iter()
                .filter(|change| change.kind == ChangeKind::Delete);
            assert!(deletes.count() <= 1);
        }
        assert!((100..=300).contains(&changed), "{changed} of 5000 changed");
    }
}
