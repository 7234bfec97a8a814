//! Synthetic accounts: names, organizations, departments and resigned users.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::text::pick;
use super::vocabulary as words;

/// Share of accounts whose users have resigned, so that the export marks
/// their names with `(解約済)` or `【解約済】`.
const RESIGNED_SHARE: f64 = 0.04;
/// Share of accounts that belong to a partner organization.
const EXTERNAL_SHARE: f64 = 0.15;

/// One Chatwork account of the synthetic organization or of a partner.
#[derive(Debug, Clone)]
pub struct Account {
    pub account_id: u64,
    /// Name without any resigned marker, as mentions write it.
    pub name: String,
    /// Name as the export writes it: the name plus the resigned marker, if any.
    pub export_name: String,
    pub organization: &'static str,
    /// Department, empty for some partner accounts.
    pub department: &'static str,
}

/// Creates `count` accounts with increasing, unique 7- or 8-digit IDs.
pub fn generate_accounts(rng: &mut ChaCha8Rng, count: u32) -> Vec<Account> {
    let mut accounts = Vec::with_capacity(count as usize);
    let mut account_id = rng.random_range(1_000_000..3_000_000u64);
    for _ in 0..count {
        account_id += rng.random_range(1..=500);
        accounts.push(generate_account(rng, account_id));
    }
    accounts
}

fn generate_account(rng: &mut ChaCha8Rng, account_id: u64) -> Account {
    let name = generate_name(rng);

    let export_name = if rng.random_bool(RESIGNED_SHARE) {
        let marker = if rng.random_bool(0.6) {
            "(解約済)"
        } else {
            "【解約済】"
        };
        format!("{name}{marker}")
    } else {
        name.clone()
    };

    let (organization, department) = if rng.random_bool(EXTERNAL_SHARE) {
        let department = if rng.random_bool(0.5) {
            ""
        } else {
            pick(rng, words::DEPARTMENTS)
        };
        (pick(rng, words::EXTERNAL_ORGANIZATIONS), department)
    } else {
        (words::OWN_ORGANIZATION, pick(rng, words::DEPARTMENTS))
    };

    Account {
        account_id,
        name,
        export_name,
        organization,
        department,
    }
}

/// Returns a family and given name, mostly in kanji with a half- or
/// full-width space between them, sometimes with none.
fn generate_name(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.06) {
        return pick(rng, words::FOREIGN_NAMES).to_string();
    }
    let family = pick(rng, words::FAMILY_NAMES);
    let given = pick(rng, words::GIVEN_NAMES);
    let separator = match rng.random_range(0..10) {
        0..=5 => " ",
        6..=7 => "\u{3000}",
        _ => "",
    };
    format!("{family}{separator}{given}")
}
