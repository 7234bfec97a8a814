//! Japanese business prose: sentences, short replies, long reports, room
//! and file names, built from the lists in `vocabulary.rs`.
//!
//! Every function appends to a caller's `String`, so one buffer serves a
//! whole message without further allocation.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::vocabulary as words;

/// Probabilities that a running-text message carries one sentence with a
/// word of each rarity tier. `push_message_text` draws them once per message.
const UNCOMMON_WORD_PROBABILITY: f64 = 0.015;
const RARE_WORD_PROBABILITY: f64 = 0.000_75;
const VERY_RARE_WORD_PROBABILITY: f64 = 0.000_007_5;

pub fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Appends a template with every `{slot}` replaced by a random fill. The
/// `{rare}` slot takes `rare_word`.
pub fn push_template(rng: &mut ChaCha8Rng, out: &mut String, template: &str, rare_word: &str) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        push_slot(rng, out, &after[..close], rare_word);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

/// Returns whether `push_template` fills `name`.
#[cfg(test)]
pub fn is_known_slot(name: &str) -> bool {
    let mut rng: ChaCha8Rng = rand::SeedableRng::seed_from_u64(0);
    let mut out = String::new();
    push_slot(&mut rng, &mut out, name, "x");
    !out.starts_with('{')
}

fn push_slot(rng: &mut ChaCha8Rng, out: &mut String, name: &str, rare_word: &str) {
    match name {
        "project" => out.push_str(pick(rng, words::PROJECTS)),
        "client" => out.push_str(pick(rng, words::CLIENTS)),
        "doc" => out.push_str(pick(rng, words::DOCUMENTS)),
        "meeting" => out.push_str(pick(rng, words::MEETINGS)),
        "place" => out.push_str(pick(rng, words::PLACES)),
        "action" => out.push_str(pick(rng, words::ACTIONS)),
        "issue" => out.push_str(pick(rng, words::ISSUES)),
        "tool" => out.push_str(pick(rng, words::TOOLS)),
        "tech" => out.push_str(pick(rng, words::TECH_TERMS)),
        "opinion" => out.push_str(pick(rng, words::OPINIONS)),
        "urgency" => out.push_str(pick(rng, words::URGENCY)),
        "dept" => out.push_str(pick(rng, words::DEPARTMENTS)),
        "person" => out.push_str(pick(rng, words::FAMILY_NAMES)),
        "emoji" => out.push_str(pick(rng, words::EMOJI)),
        "rare" => out.push_str(rare_word),
        "day" => push_day(rng, out),
        "date" => push_date(rng, out),
        "time" => push_time(rng, out),
        "percent" => push_percent(rng, out),
        "count" => {
            let count = rng.random_range(1..=50);
            push_number(rng, out, count);
        }
        "money" => push_money(rng, out),
        "version" => push_version(rng, out),
        "code" => push_account_code(rng, out),
        "url" => push_url(rng, out),
        "order" => push_order_number(rng, out),
        "year" => push_u64(out, rng.random_range(2018..=2025)),
        "quarter" => push_u64(out, rng.random_range(1..=4)),
        "month" => push_two_digits(out, rng.random_range(1..=12)),
        "day_of_month" => push_two_digits(out, rng.random_range(1..=28)),
        "date_compact" => {
            push_u64(out, rng.random_range(2018..=2025));
            push_two_digits(out, rng.random_range(1..=12));
            push_two_digits(out, rng.random_range(1..=28));
        }
        "count4" => push_u64(out, rng.random_range(1000..=9999)),
        _ => {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
    }
}

/// Appends the running text of one message: an optional greeting, one or
/// more sentences and an optional closing. Most bodies have 20–200
/// characters.
pub fn push_message_text(rng: &mut ChaCha8Rng, out: &mut String) {
    if rng.random_bool(0.55) {
        out.push_str(pick(rng, words::GREETINGS));
        out.push('\n');
    }

    let sentences = match rng.random_range(0..10) {
        0..=3 => 1,
        4..=6 => 2,
        7..=8 => 3,
        _ => rng.random_range(4..=7),
    };
    let rare_at = rng.random_range(0..sentences);
    for index in 0..sentences {
        // Templates that end in a number or a URL need a line break before
        // the next sentence; the others get one now and then.
        if index > 0 && (rng.random_bool(0.25) || !ends_sentence(out)) {
            out.push('\n');
        }
        if index == rare_at && push_rare_sentence(rng, out) {
            continue;
        }
        push_sentence(rng, out);
    }

    if rng.random_bool(0.6) {
        out.push('\n');
        out.push_str(pick(rng, words::CLOSINGS));
    }
}

/// Returns whether `out` ends with sentence-final punctuation, an emoji
/// or an emoticon.
fn ends_sentence(out: &str) -> bool {
    out.chars().next_back().is_some_and(|last| {
        matches!(last, '。' | '！' | '？' | '…' | ')' | '〜' | '～') || last > '\u{1f000}'
    })
}

/// Appends one everyday sentence, now and then followed by an emoji or an
/// emoticon.
pub fn push_sentence(rng: &mut ChaCha8Rng, out: &mut String) {
    let template = pick(rng, words::SENTENCES);
    push_template(rng, out, template, "");
    match rng.random_range(0..40) {
        0 => out.push_str(pick(rng, words::EMOJI)),
        1 => out.push_str(pick(rng, words::EMOTICONS)),
        _ => {}
    }
}

/// Appends, with the tier probabilities above, one sentence that carries a
/// rare word. Returns whether it appended one.
fn push_rare_sentence(rng: &mut ChaCha8Rng, out: &mut String) -> bool {
    let draw: f64 = rng.random();
    let list = if draw < VERY_RARE_WORD_PROBABILITY {
        words::VERY_RARE_WORDS
    } else if draw < VERY_RARE_WORD_PROBABILITY + RARE_WORD_PROBABILITY {
        words::RARE_WORDS
    } else if draw < VERY_RARE_WORD_PROBABILITY + RARE_WORD_PROBABILITY + UNCOMMON_WORD_PROBABILITY
    {
        words::UNCOMMON_WORDS
    } else {
        return false;
    };
    let word = pick(rng, list);
    let template = pick(rng, words::RARE_SENTENCES);
    push_template(rng, out, template, word);
    true
}

pub fn push_short_reply(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(pick(rng, words::SHORT_REPLIES));
}

/// Appends a long report of three to seven headed sections, about 250 to
/// 2,000 characters.
pub fn push_report(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(pick(rng, words::GREETINGS));
    out.push('\n');
    out.push_str("表題の件、以下の通りご報告いたします。\n");
    let sections = rng.random_range(3..=7);
    for _ in 0..sections {
        out.push('\n');
        out.push_str(pick(rng, words::REPORT_HEADINGS));
        out.push('\n');
        for _ in 0..rng.random_range(2..=8) {
            if rng.random_bool(0.4) {
                out.push('・');
            }
            push_sentence(rng, out);
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(pick(rng, words::CLOSINGS));
}

pub fn push_info_title(rng: &mut ChaCha8Rng, out: &mut String) {
    let template = pick(rng, words::INFO_TITLES);
    push_template(rng, out, template, "");
}

pub fn push_task_text(rng: &mut ChaCha8Rng, out: &mut String) {
    let template = pick(rng, words::TASK_TEXTS);
    push_template(rng, out, template, "");
}

pub fn push_code_snippet(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str(pick(rng, words::CODE_SNIPPETS));
}

pub fn push_room_name(rng: &mut ChaCha8Rng, out: &mut String) {
    let template = pick(rng, words::ROOM_NAME_TEMPLATES);
    push_template(rng, out, template, "");
}

/// Appends a file name with its extension. Returns whether it is an image.
pub fn push_file_name(rng: &mut ChaCha8Rng, out: &mut String) -> bool {
    let stem = pick(rng, words::FILE_STEMS);
    push_template(rng, out, stem, "");
    let extension = pick(rng, words::FILE_EXTENSIONS);
    out.push('.');
    out.push_str(extension);
    words::IMAGE_EXTENSIONS.contains(&extension)
}

fn push_day(rng: &mut ChaCha8Rng, out: &mut String) {
    if rng.random_bool(0.5) {
        out.push_str(pick(rng, words::RELATIVE_DAYS));
    } else {
        push_date(rng, out);
    }
}

fn push_date(rng: &mut ChaCha8Rng, out: &mut String) {
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    match rng.random_range(0..4) {
        0 => {
            push_u64(out, month);
            out.push('/');
            push_u64(out, day);
        }
        1 => {
            push_u64(out, month);
            out.push('/');
            push_u64(out, day);
            out.push('(');
            out.push_str(pick(rng, words::WEEKDAYS));
            out.push(')');
        }
        2 => {
            push_number(rng, out, month);
            out.push('月');
            push_number(rng, out, day);
            out.push('日');
        }
        _ => {
            push_u64(out, rng.random_range(2018..=2025));
            out.push('/');
            push_two_digits(out, month);
            out.push('/');
            push_two_digits(out, day);
        }
    }
}

fn push_time(rng: &mut ChaCha8Rng, out: &mut String) {
    let hour = rng.random_range(8..=19);
    match rng.random_range(0..3) {
        0 => {
            push_u64(out, hour);
            out.push('時');
        }
        1 => {
            push_u64(out, hour);
            out.push_str("時半");
        }
        _ => {
            push_u64(out, hour);
            out.push(':');
            push_two_digits(out, 15 * rng.random_range(0..4));
        }
    }
}

fn push_percent(rng: &mut ChaCha8Rng, out: &mut String) {
    let value = rng.random_range(1..=99);
    if rng.random_bool(0.1) {
        push_full_width(out, value);
        out.push('％');
    } else {
        push_u64(out, value);
        out.push('%');
    }
}

fn push_money(rng: &mut ChaCha8Rng, out: &mut String) {
    match rng.random_range(0..3) {
        0 => {
            push_u64(out, rng.random_range(1..=999) * 10);
            out.push_str("万円");
        }
        1 => {
            out.push('¥');
            push_grouped(out, rng.random_range(1..=999) * 1000);
        }
        _ => {
            push_grouped(out, rng.random_range(10..=9999) * 1000);
            out.push_str("円（税抜）");
        }
    }
}

fn push_version(rng: &mut ChaCha8Rng, out: &mut String) {
    let major = rng.random_range(1..=5);
    let minor = rng.random_range(0..=12);
    if rng.random_bool(0.8) {
        out.push('v');
        push_u64(out, major);
        out.push('.');
        push_u64(out, minor);
        out.push('.');
        push_u64(out, rng.random_range(0..=9));
    } else {
        out.push('第');
        push_u64(out, major);
        out.push('版');
    }
}

fn push_account_code(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str("mirai-u");
    push_u64(out, rng.random_range(10_000..=99_999));
}

fn push_url(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push_str("https://docs.example.com/share/");
    push_hex(out, rng.random_range(0..1u64 << 32));
}

/// Appends an order number such as `A-2024-041275`. There are 64 million
/// of them, so most appear in one message only.
fn push_order_number(rng: &mut ChaCha8Rng, out: &mut String) {
    out.push(char::from(b'A' + rng.random_range(0..8u8)));
    out.push('-');
    push_u64(out, rng.random_range(2018..=2025));
    out.push('-');
    let serial = rng.random_range(0..1_000_000u64);
    let mut divisor = 100_000;
    while divisor > 0 {
        out.push(char::from(b'0' + (serial / divisor % 10) as u8));
        divisor /= 10;
    }
}

/// Appends a small number, in full-width digits about one time in twenty,
/// as people typing with a Japanese input method often leave them.
fn push_number(rng: &mut ChaCha8Rng, out: &mut String, value: u64) {
    if rng.random_bool(0.05) {
        push_full_width(out, value);
    } else {
        push_u64(out, value);
    }
}

fn push_full_width(out: &mut String, value: u64) {
    let start = out.len();
    push_u64(out, value);
    let digits: String = out[start..]
        .chars()
        .map(|digit| char::from_u32(digit as u32 - '0' as u32 + '０' as u32).unwrap_or(digit))
        .collect();
    out.truncate(start);
    out.push_str(&digits);
}

pub fn push_u64(out: &mut String, value: u64) {
    use std::fmt::Write;
    write!(out, "{value}").expect("writing to a String cannot fail");
}

fn push_two_digits(out: &mut String, value: u64) {
    use std::fmt::Write;
    write!(out, "{value:02}").expect("writing to a String cannot fail");
}

fn push_hex(out: &mut String, value: u64) {
    use std::fmt::Write;
    write!(out, "{value:08x}").expect("writing to a String cannot fail");
}

/// Appends a number with commas between groups of three digits: `1,250,000`.
fn push_grouped(out: &mut String, value: u64) {
    let start = out.len();
    push_u64(out, value);
    let digits = out.len() - start;
    let mut position = start + digits % 3;
    if position == start {
        position += 3;
    }
    while position < out.len() {
        out.insert(position, ',');
        position += 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_template_slot_is_known() {
        let template_lists: [&[&str]; 7] = [
            words::SENTENCES,
            words::RARE_SENTENCES,
            words::INFO_TITLES,
            words::TASK_TEXTS,
            words::ROOM_NAME_TEMPLATES,
            words::FILE_STEMS,
            words::REPORT_HEADINGS,
        ];
        for template in template_lists.iter().flat_map(|list| list.iter()) {
            let mut rest = *template;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').expect("slot is closed") + open;
                let name = &rest[open + 1..close];
                assert!(is_known_slot(name), "unknown slot {name:?} in {template:?}");
                rest = &rest[close + 1..];
            }
        }
    }

    #[test]
    fn push_grouped_inserts_commas() {
        for (value, expected) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (35_000, "35,000"),
            (1_250_000, "1,250,000"),
        ] {
            let mut out = String::from("¥");
            push_grouped(&mut out, value);
            assert_eq!(out, format!("¥{expected}"));
        }
    }

    #[test]
    fn push_full_width_converts_digits() {
        let mut out = String::new();
        push_full_width(&mut out, 305);
        assert_eq!(out, "３０５");
    }

    #[test]
    fn message_text_is_mostly_short() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut lengths = Vec::new();
        for _ in 0..2000 {
            let mut out = String::new();
            push_message_text(&mut rng, &mut out);
            lengths.push(out.chars().count());
        }
        lengths.sort_unstable();
        let median = lengths[lengths.len() / 2];
        assert!((20..=200).contains(&median), "median length {median}");
        assert!(lengths[0] >= 5, "shortest length {}", lengths[0]);
    }
}
