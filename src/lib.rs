//! cwlens: an investigation console for Chatwork chat log exports.
//!
//! Data flows through the modules in this order: `import` reads an export
//! into the `store` (SQLite) and the `index` (tantivy); `query` answers
//! searches over both; `tui` and `export` present the results; `audit`
//! records who did what with the case. `text` holds the Chatwork notation
//! parser and the Japanese text handling every other module shares.

pub mod audit;
pub mod cli;
pub mod export;
pub mod generate;
pub mod i18n;
pub mod import;
pub mod index;
pub mod model;
pub mod query;
pub mod store;
pub mod text;
pub mod tui;
