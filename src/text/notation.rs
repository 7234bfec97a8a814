//! Parser for the Chatwork message notation (`[To:1]`, `[qt]…[/qt]`,
//! `[info]…[/info]` and the rest) into a tree of [`Node`]s.
//!
//! Parsing never fails. A tag that is unknown, malformed, unmatched or
//! unclosed stays in the tree as the literal text it was written as, so no
//! byte of a body is lost. Tag and attribute names match without regard to
//! ASCII case, and attributes may come in any order. IDs stay strings,
//! because message IDs have up to 19 digits.
//!
//! The parser runs on every message of an import, so it works in linear time:
//! one pass cuts the body into tokens, a second pairs opening and closing
//! tags with a stack, and a third builds the tree.

use std::collections::HashSet;

use crate::i18n::Lang;
use crate::text::dtext;

/// One element of a parsed message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Literal text, including any tag that did not parse.
    Text(String),
    /// `[To:123]`: a mention of one account.
    To { account_id: String },
    /// `[toall]`: a mention of every member.
    ToAll,
    /// `[rp aid=1 to=ROOM-MESSAGE]`, or `[返信 aid=… to=…]`: a reply to a message.
    Reply {
        account_id: String,
        room_id: Option<String>,
        message_id: Option<String>,
    },
    /// `[qt][qtmeta aid=1 time=UNIX]…[/qt]`, or `[引用 aid=… time=…]…[/引用]`:
    /// a quoted message. `time` is Unix seconds.
    Quote {
        account_id: Option<String>,
        time: Option<i64>,
        children: Vec<Node>,
    },
    /// `[info][title]…[/title]…[/info]`: a boxed text with an optional heading.
    Info {
        title: Option<Vec<Node>>,
        children: Vec<Node>,
    },
    /// `[hr]`: a horizontal rule.
    Hr,
    /// `[code]…[/code]`: literal text in which no tag is parsed.
    Code(String),
    /// `[picon:1]`, `[pname:1]` or `[piconname:1]`: an account's avatar, name or both.
    Person {
        account_id: String,
        show: PersonShow,
    },
    /// `[download:ID]name (247.60 KB)[/download]`: a link to an uploaded file.
    Download {
        file_id: String,
        children: Vec<Node>,
    },
    /// `[preview id=ID ht=150]`: an image thumbnail, `height` in pixels.
    Preview {
        file_id: String,
        height: Option<u32>,
    },
    /// `[task aid=1 st=open lt=UNIX ltype=date]…[/task]`: a task card.
    /// `limit` is Unix seconds, `None` when the body has `lt=0` (no deadline).
    Task {
        account_id: Option<String>,
        done: bool,
        limit: Option<i64>,
        limit_type: Option<String>,
        children: Vec<Node>,
    },
    /// `[dtext:KEY]`: a fragment of a system message, see [`dtext::text`].
    SystemText { key: String },
    /// A body that is only the deleted-message placeholder `[delete]` or `[deleted]`.
    Deleted,
}

/// Display form of a person tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonShow {
    /// `[picon:…]`
    Icon,
    /// `[pname:…]`
    Name,
    /// `[piconname:…]`
    IconName,
}

/// Maximum nesting of paired tags. A deeper opening tag stays literal text,
/// which keeps recursion over the tree, here and in renderers, bounded.
/// Real quote chains are far shallower.
pub const MAX_NESTING: usize = 64;

/// Parses a message body into nodes. Never fails: see the module documentation.
pub fn parse(body: &str) -> Vec<Node> {
    if crate::model::is_deleted_body(body) {
        return vec![Node::Deleted];
    }
    let mut tokens = tokenize(body);
    pair_tags(&mut tokens);
    build_tree(body, tokens)
}

/// True when `body` has no `[`. Every tag, code block and deleted marker
/// starts with one, so such a body parses to a single text node of itself
/// (or to nothing when it is empty), and its plain text is the body.
pub fn is_plain(body: &str) -> bool {
    memchr::memchr(b'[', body.as_bytes()).is_none()
}

/// Separator between the names of person tags in a row in plain text.
pub const PERSON_SEPARATOR: &str = "、";

/// Returns the searchable text of parsed nodes.
///
/// Tags are removed and the text between paired tags is kept verbatim, with
/// no labels added. A person tag becomes the account's name from `names`,
/// and names of person tags in a row are joined by [`PERSON_SEPARATOR`].
/// When `names` returns `None`, the tag contributes nothing, just as the
/// Japanese UI never shows the bare account ID. A system text becomes its
/// Japanese text, or its key when the key is unknown. Code keeps its
/// content.
pub fn plain_text(nodes: &[Node], names: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    append_plain_text(nodes, names, &mut out);
    out
}

fn append_plain_text(nodes: &[Node], names: &dyn Fn(&str) -> Option<String>, out: &mut String) {
    // The members a system message lists are person tags in a row. A `、`
    // keeps their names from running together, as on screen.
    let mut after_named_person = false;
    for node in nodes {
        if let Node::Person { account_id, .. } = node {
            if let Some(name) = names(account_id) {
                if after_named_person {
                    out.push_str(PERSON_SEPARATOR);
                }
                out.push_str(&name);
                after_named_person = true;
            }
            continue;
        }
        after_named_person = false;
        match node {
            Node::Text(text) | Node::Code(text) => out.push_str(text),
            Node::Quote { children, .. }
            | Node::Download { children, .. }
            | Node::Task { children, .. } => append_plain_text(children, names, out),
            Node::Info { title, children } => {
                if let Some(title) = title {
                    append_plain_text(title, names, out);
                    // The title is a line of its own, as on screen.
                    if !children.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
                append_plain_text(children, names, out);
            }
            Node::Person { .. } => {}
            Node::SystemText { key } => out.push_str(dtext::text(key, Lang::Ja).unwrap_or(key)),
            Node::To { .. }
            | Node::ToAll
            | Node::Reply { .. }
            | Node::Hr
            | Node::Preview { .. }
            | Node::Deleted => {}
        }
    }
}

/// The mentions, replies and quotes of one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Links {
    /// Mentioned account IDs, each once, in order of first mention.
    pub mentions: Vec<String>,
    pub to_all: bool,
    pub replies: Vec<ReplyTarget>,
    /// Every quote, nested ones included, in document order.
    pub quotes: Vec<QuoteSource>,
}

/// Target message of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTarget {
    pub account_id: String,
    pub room_id: Option<String>,
    pub message_id: Option<String>,
}

/// The author and send time of a quoted message, as far as the quote records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteSource {
    pub account_id: Option<String>,
    pub time: Option<i64>,
}

/// Collects the live links of a message. A mention, `[toall]` or reply
/// inside a quote repeats an older message, so it is not live and is left
/// out. Code contains no tags at all. Quotes inside quotes are still listed.
pub fn links(nodes: &[Node]) -> Links {
    let mut links = Links::default();
    let mut mentioned = HashSet::new();
    collect_links(nodes, false, &mut links, &mut mentioned);
    links
}

fn collect_links<'a>(
    nodes: &'a [Node],
    in_quote: bool,
    links: &mut Links,
    mentioned: &mut HashSet<&'a str>,
) {
    for node in nodes {
        match node {
            Node::To { account_id } if !in_quote && mentioned.insert(account_id) => {
                links.mentions.push(account_id.clone());
            }
            Node::ToAll if !in_quote => links.to_all = true,
            Node::Reply {
                account_id,
                room_id,
                message_id,
            } if !in_quote => links.replies.push(ReplyTarget {
                account_id: account_id.clone(),
                room_id: room_id.clone(),
                message_id: message_id.clone(),
            }),
            Node::Quote {
                account_id,
                time,
                children,
            } => {
                links.quotes.push(QuoteSource {
                    account_id: account_id.clone(),
                    time: *time,
                });
                collect_links(children, true, links, mentioned);
            }
            Node::Info { title, children } => {
                if let Some(title) = title {
                    collect_links(title, in_quote, links, mentioned);
                }
                collect_links(children, in_quote, links, mentioned);
            }
            Node::Download { children, .. } | Node::Task { children, .. } => {
                collect_links(children, in_quote, links, mentioned);
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Tags

/// Kinds of paired tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Quote,
    Info,
    Title,
    Download,
    Task,
}

impl Container {
    const COUNT: usize = 5;

    fn index(self) -> usize {
        self as usize
    }
}

/// An opening tag of a pair, with its attributes borrowed from the body.
#[derive(Debug, Clone, Copy)]
enum Opening<'a> {
    Quote {
        account_id: Option<&'a str>,
        time: Option<i64>,
    },
    Info,
    Title,
    Download {
        file_id: &'a str,
    },
    Task {
        account_id: Option<&'a str>,
        done: bool,
        limit: Option<i64>,
        limit_type: Option<&'a str>,
    },
}

impl Opening<'_> {
    fn container(&self) -> Container {
        match self {
            Opening::Quote { .. } => Container::Quote,
            Opening::Info => Container::Info,
            Opening::Title => Container::Title,
            Opening::Download { .. } => Container::Download,
            Opening::Task { .. } => Container::Task,
        }
    }
}

/// A recognised tag, borrowed from the body.
#[derive(Debug, Clone, Copy)]
enum Tag<'a> {
    To(&'a str),
    ToAll,
    Reply {
        account_id: &'a str,
        room_id: Option<&'a str>,
        message_id: Option<&'a str>,
    },
    Hr,
    Person(&'a str, PersonShow),
    Preview {
        file_id: &'a str,
        height: Option<u32>,
    },
    SystemText(&'a str),
    /// `[code]`: the tokenizer looks for its `[/code]` itself.
    Code,
    /// `[qtmeta …]`: counts only directly after a quote's opening tag.
    QuoteMeta {
        account_id: Option<&'a str>,
        time: Option<i64>,
    },
    Open(Opening<'a>),
    Close(Container),
}

/// Parses the text between `[` and `]`. Returns `None` for anything that is
/// not a well-formed Chatwork tag, which then stays literal text.
fn parse_tag(content: &str) -> Option<Tag<'_>> {
    if let Some(name) = content.strip_prefix('/') {
        return parse_closing(name).map(Tag::Close);
    }

    let name_end = content
        .find(|c: char| c == ':' || c.is_ascii_whitespace())
        .unwrap_or(content.len());
    let name = &content[..name_end];
    let rest = &content[name_end..];
    if let Some(value) = rest.strip_prefix(':') {
        return parse_value_tag(name, value);
    }

    let attributes = Attributes::parse(rest)?;
    let is = |expected: &str| name.eq_ignore_ascii_case(expected);
    let tag = if is("toall") && attributes.is_empty() {
        Tag::ToAll
    } else if is("hr") && attributes.is_empty() {
        Tag::Hr
    } else if is("code") && attributes.is_empty() {
        Tag::Code
    } else if is("info") && attributes.is_empty() {
        Tag::Open(Opening::Info)
    } else if is("title") && attributes.is_empty() {
        Tag::Open(Opening::Title)
    } else if is("qt") || name == "引用" {
        Tag::Open(Opening::Quote {
            account_id: attributes.get("aid").filter(|id| is_id(id)),
            time: attributes.get("time").and_then(|t| t.parse().ok()),
        })
    } else if is("qtmeta") {
        Tag::QuoteMeta {
            account_id: attributes.get("aid").filter(|id| is_id(id)),
            time: attributes.get("time").and_then(|t| t.parse().ok()),
        }
    } else if is("rp") || name == "返信" {
        let account_id = attributes.get("aid").filter(|id| is_id(id))?;
        let (room_id, message_id) = match attributes.get("to") {
            Some(target) => match target.split_once('-') {
                Some((room, message)) => (non_empty(room), non_empty(message)),
                None => (non_empty(target), None),
            },
            None => (None, None),
        };
        Tag::Reply {
            account_id,
            room_id,
            message_id,
        }
    } else if is("preview") {
        Tag::Preview {
            file_id: attributes.get("id").filter(|id| is_id(id))?,
            height: attributes.get("ht").and_then(|h| h.parse().ok()),
        }
    } else if is("task") {
        Tag::Open(Opening::Task {
            account_id: attributes.get("aid").filter(|id| is_id(id)),
            done: attributes
                .get("st")
                .is_some_and(|status| status.eq_ignore_ascii_case("done")),
            limit: attributes
                .get("lt")
                .and_then(|limit| limit.parse::<i64>().ok())
                .filter(|&limit| limit != 0),
            limit_type: attributes.get("ltype"),
        })
    } else {
        return None;
    };
    Some(tag)
}

/// Parses a `[name:value]` tag.
fn parse_value_tag<'a>(name: &str, value: &'a str) -> Option<Tag<'a>> {
    let is = |expected: &str| name.eq_ignore_ascii_case(expected);
    if is("dtext") {
        let valid_key = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        return valid_key.then_some(Tag::SystemText(value));
    }
    if !is_id(value) {
        return None;
    }
    let tag = if is("to") {
        Tag::To(value)
    } else if is("picon") {
        Tag::Person(value, PersonShow::Icon)
    } else if is("pname") {
        Tag::Person(value, PersonShow::Name)
    } else if is("piconname") {
        Tag::Person(value, PersonShow::IconName)
    } else if is("download") {
        Tag::Open(Opening::Download { file_id: value })
    } else {
        return None;
    };
    Some(tag)
}

fn parse_closing(name: &str) -> Option<Container> {
    let is = |expected: &str| name.eq_ignore_ascii_case(expected);
    if is("qt") || name == "引用" {
        Some(Container::Quote)
    } else if is("info") {
        Some(Container::Info)
    } else if is("title") {
        Some(Container::Title)
    } else if is("download") {
        Some(Container::Download)
    } else if is("task") {
        Some(Container::Task)
    } else {
        None
    }
}

/// Returns true for a Chatwork account, room, message or file ID: ASCII digits.
fn is_id(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

fn non_empty(value: &str) -> Option<&str> {
    (!value.is_empty()).then_some(value)
}

/// The `key=value` attributes of a tag, separated by ASCII white space.
struct Attributes<'a>(&'a str);

impl<'a> Attributes<'a> {
    /// Returns `None` unless `text` is empty or starts with white space and
    /// every word in it has the form `key=value` with a non-empty key.
    fn parse(text: &'a str) -> Option<Attributes<'a>> {
        if !text.is_empty() && !text.starts_with(|c: char| c.is_ascii_whitespace()) {
            return None;
        }
        let well_formed = text
            .split_ascii_whitespace()
            .all(|word| word.split_once('=').is_some_and(|(key, _)| !key.is_empty()));
        well_formed.then_some(Attributes(text))
    }

    fn is_empty(&self) -> bool {
        self.0.trim_ascii().is_empty()
    }

    /// Returns the first non-empty value of `key`, matched without regard to ASCII case.
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .split_ascii_whitespace()
            .filter_map(|word| word.split_once('='))
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .and_then(|(_, value)| non_empty(value))
    }
}

// ---------------------------------------------------------------------------
// Pass 1: tokens

#[derive(Debug)]
enum TokenKind<'a> {
    /// Literal text: `body[start..end]`.
    Text,
    /// A `[code]…[/code]` block with its content.
    Code(&'a str),
    Tag(Tag<'a>),
}

#[derive(Debug)]
struct Token<'a> {
    start: usize,
    end: usize,
    kind: TokenKind<'a>,
    /// For a paired tag, the index of the token it pairs with.
    partner: Option<usize>,
}

const CODE_CLOSE: &[u8] = b"[/code]";

/// Cuts `body` into text, code blocks and recognised tags. Consecutive
/// literal text, unrecognised tags included, forms one token.
fn tokenize(body: &str) -> Vec<Token<'_>> {
    let bytes = body.as_bytes();
    let mut tokens = Vec::new();
    let mut code_close = CodeCloseFinder::default();
    let mut text_start = 0;
    let mut position = 0;

    while let Some(open) = find_byte(bytes, position, b'[') {
        // A tag runs to the next `]`, unless another `[` comes first, in which
        // case this `[` is literal. So no byte is scanned more than twice.
        let Some(close) = bytes[open + 1..]
            .iter()
            .position(|&b| b == b'[' || b == b']')
            .map(|offset| open + 1 + offset)
        else {
            break;
        };
        if bytes[close] == b'[' {
            position = close;
            continue;
        }
        let end = close + 1;
        position = end;

        let (kind, token_end) = match parse_tag(&body[open + 1..close]) {
            None => continue,
            Some(Tag::Code) => match code_close.find(bytes, end) {
                Some(code_end) => {
                    let after = code_end + CODE_CLOSE.len();
                    (TokenKind::Code(&body[end..code_end]), after)
                }
                None => continue,
            },
            Some(tag) => (TokenKind::Tag(tag), end),
        };

        if text_start < open {
            tokens.push(Token {
                start: text_start,
                end: open,
                kind: TokenKind::Text,
                partner: None,
            });
        }
        tokens.push(Token {
            start: open,
            end: token_end,
            kind,
            partner: None,
        });
        text_start = token_end;
        position = token_end;
    }

    if text_start < body.len() {
        tokens.push(Token {
            start: text_start,
            end: body.len(),
            kind: TokenKind::Text,
            partner: None,
        });
    }
    tokens
}

fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|offset| from + offset)
}

/// Finds the next `[/code]`, ignoring ASCII case. It remembers its last
/// search, so that many unclosed `[code]` tags cost one scan of the body,
/// not one scan each.
#[derive(Default)]
struct CodeCloseFinder {
    /// Start of the last search and its result.
    last: Option<(usize, Option<usize>)>,
}

impl CodeCloseFinder {
    fn find(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.last {
            // The first match after `searched_from` is also the first after
            // `from`, as long as it does not lie before `from`.
            if searched_from <= from && found.is_none_or(|at| at >= from) {
                return found;
            }
        }
        let mut position = from;
        let found = loop {
            let Some(at) = find_byte(bytes, position, b'[') else {
                break None;
            };
            let candidate = bytes.get(at..at + CODE_CLOSE.len());
            if candidate.is_some_and(|c| c.eq_ignore_ascii_case(CODE_CLOSE)) {
                break Some(at);
            }
            position = at + 1;
        };
        self.last = Some((from, found));
        found
    }
}

// ---------------------------------------------------------------------------
// Pass 2: pairing

/// Pairs opening and closing tags. A closing tag pairs with the innermost
/// open tag of its kind, and the open tags above that one on the stack stay
/// unpaired. A `[title]` counts only directly after an `[info]`, and a
/// `[qtmeta]` only directly after a quote's opening tag. Tags left unpaired
/// become literal text in pass 3.
fn pair_tags(tokens: &mut [Token<'_>]) {
    let mut stack: Vec<usize> = Vec::new();
    // Count of open tags of each kind on the stack. With it, a closing tag
    // that has no open partner costs nothing instead of a walk down the stack.
    let mut open_counts = [0usize; Container::COUNT];

    for index in 0..tokens.len() {
        let TokenKind::Tag(tag) = &tokens[index].kind else {
            continue;
        };
        match *tag {
            Tag::Open(opening) if stack.len() < MAX_NESTING => {
                stack.push(index);
                open_counts[opening.container().index()] += 1;
            }
            Tag::Close(container) => {
                if open_counts[container.index()] == 0 {
                    continue;
                }
                while let Some(open) = stack.pop() {
                    let open_container = opening_of(&tokens[open])
                        .map(|opening| opening.container())
                        .unwrap_or(container);
                    open_counts[open_container.index()] -= 1;
                    if open_container == container {
                        tokens[open].partner = Some(index);
                        tokens[index].partner = Some(open);
                        break;
                    }
                }
            }
            _ => {}
        }
    }

    for index in 0..tokens.len() {
        let Some(Opening::Title) = opening_of(&tokens[index]) else {
            continue;
        };
        let after_info = index
            .checked_sub(1)
            .map(|previous| &tokens[previous])
            .is_some_and(|previous| {
                previous.partner.is_some() && matches!(opening_of(previous), Some(Opening::Info))
            });
        if !after_info && let Some(close) = tokens[index].partner.take() {
            tokens[close].partner = None;
        }
    }
}

fn opening_of<'a>(token: &Token<'a>) -> Option<Opening<'a>> {
    match token.kind {
        TokenKind::Tag(Tag::Open(opening)) => Some(opening),
        _ => None,
    }
}

/// Returns true when the token before `index` opens a paired quote.
fn follows_quote_opening(tokens: &[Token<'_>], index: usize) -> bool {
    index
        .checked_sub(1)
        .map(|previous| &tokens[previous])
        .is_some_and(|previous| {
            previous.partner.is_some()
                && matches!(opening_of(previous), Some(Opening::Quote { .. }))
        })
}

// ---------------------------------------------------------------------------
// Pass 3: tree

/// A paired tag whose closing tag has not been reached yet.
struct Frame<'a> {
    opening: Opening<'a>,
    title: Option<Vec<Node>>,
    children: Vec<Node>,
}

fn build_tree(body: &str, tokens: Vec<Token<'_>>) -> Vec<Node> {
    let quote_meta_valid: Vec<bool> = (0..tokens.len())
        .map(|index| follows_quote_opening(&tokens, index))
        .collect();
    let mut root = Vec::new();
    let mut frames: Vec<Frame<'_>> = Vec::new();

    for (index, token) in tokens.into_iter().enumerate() {
        let children = match frames.last_mut() {
            Some(frame) => &mut frame.children,
            None => &mut root,
        };
        let literal = &body[token.start..token.end];
        let tag = match token.kind {
            TokenKind::Text => {
                push_text(children, literal);
                continue;
            }
            TokenKind::Code(content) => {
                children.push(Node::Code(content.to_owned()));
                continue;
            }
            TokenKind::Tag(tag) => tag,
        };

        match tag {
            Tag::Open(opening) if token.partner.is_some() => frames.push(Frame {
                opening,
                title: None,
                children: Vec::new(),
            }),
            Tag::Close(_) if token.partner.is_some() => {
                let Some(frame) = frames.pop() else {
                    push_text(&mut root, literal);
                    continue;
                };
                let parent = match frames.last_mut() {
                    Some(parent) => parent,
                    None => {
                        root.push(close_frame(frame));
                        continue;
                    }
                };
                if matches!(frame.opening, Opening::Title) {
                    parent.title = Some(frame.children);
                } else {
                    parent.children.push(close_frame(frame));
                }
            }
            Tag::QuoteMeta { account_id, time } if quote_meta_valid[index] => {
                if let Some(Frame {
                    opening:
                        Opening::Quote {
                            account_id: quote_account_id,
                            time: quote_time,
                        },
                    ..
                }) = frames.last_mut()
                {
                    *quote_account_id = account_id.or(*quote_account_id);
                    *quote_time = time.or(*quote_time);
                }
            }
            other => match leaf_node(other) {
                Some(node) => children.push(node),
                None => push_text(children, literal),
            },
        }
    }
    root
}

/// Appends literal text, merging it into a text node just before it.
fn push_text(nodes: &mut Vec<Node>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Node::Text(last)) = nodes.last_mut() {
        last.push_str(text);
    } else {
        nodes.push(Node::Text(text.to_owned()));
    }
}

fn close_frame(frame: Frame<'_>) -> Node {
    let children = frame.children;
    match frame.opening {
        Opening::Quote { account_id, time } => Node::Quote {
            account_id: account_id.map(str::to_owned),
            time,
            children,
        },
        Opening::Info => Node::Info {
            title: frame.title,
            children,
        },
        // A title is valid only inside an info and is taken by the caller.
        // Should one reach here, its text is kept.
        Opening::Title => Node::Info {
            title: Some(children),
            children: Vec::new(),
        },
        Opening::Download { file_id } => Node::Download {
            file_id: file_id.to_owned(),
            children,
        },
        Opening::Task {
            account_id,
            done,
            limit,
            limit_type,
        } => Node::Task {
            account_id: account_id.map(str::to_owned),
            done,
            limit,
            limit_type: limit_type.map(str::to_owned),
            children,
        },
    }
}

/// Returns the node of a standalone tag, or `None` for a paired,
/// code or quote-meta tag that reached here unpaired.
fn leaf_node(tag: Tag<'_>) -> Option<Node> {
    let node = match tag {
        Tag::To(account_id) => Node::To {
            account_id: account_id.to_owned(),
        },
        Tag::ToAll => Node::ToAll,
        Tag::Reply {
            account_id,
            room_id,
            message_id,
        } => Node::Reply {
            account_id: account_id.to_owned(),
            room_id: room_id.map(str::to_owned),
            message_id: message_id.map(str::to_owned),
        },
        Tag::Hr => Node::Hr,
        Tag::Person(account_id, show) => Node::Person {
            account_id: account_id.to_owned(),
            show,
        },
        Tag::Preview { file_id, height } => Node::Preview {
            file_id: file_id.to_owned(),
            height,
        },
        Tag::SystemText(key) => Node::SystemText {
            key: key.to_owned(),
        },
        Tag::Code | Tag::QuoteMeta { .. } | Tag::Open(_) | Tag::Close(_) => return None,
    };
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    fn text(value: &str) -> Node {
        Node::Text(value.to_owned())
    }

    fn to(account_id: &str) -> Node {
        Node::To {
            account_id: account_id.to_owned(),
        }
    }

    fn quote(account_id: Option<&str>, time: Option<i64>, children: Vec<Node>) -> Node {
        Node::Quote {
            account_id: account_id.map(str::to_owned),
            time,
            children,
        }
    }

    fn no_names(_: &str) -> Option<String> {
        None
    }

    /// Writes nodes back as notation in the canonical spelling that the
    /// round-trip property test generates.
    fn to_notation(nodes: &[Node]) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(value) => out.push_str(value),
                Node::To { account_id } => out.push_str(&format!("[To:{account_id}]")),
                Node::ToAll => out.push_str("[toall]"),
                Node::Reply {
                    account_id,
                    room_id,
                    message_id,
                } => {
                    let room = room_id.as_deref().unwrap_or("");
                    let message = message_id.as_deref().unwrap_or("");
                    out.push_str(&format!("[rp aid={account_id} to={room}-{message}]"));
                }
                Node::Quote {
                    account_id,
                    time,
                    children,
                } => {
                    out.push_str("[qt]");
                    if let (Some(account_id), Some(time)) = (account_id, time) {
                        out.push_str(&format!("[qtmeta aid={account_id} time={time}]"));
                    }
                    out.push_str(&to_notation(children));
                    out.push_str("[/qt]");
                }
                Node::Info { title, children } => {
                    out.push_str("[info]");
                    if let Some(title) = title {
                        out.push_str(&format!("[title]{}[/title]", to_notation(title)));
                    }
                    out.push_str(&to_notation(children));
                    out.push_str("[/info]");
                }
                Node::Hr => out.push_str("[hr]"),
                Node::Code(content) => out.push_str(&format!("[code]{content}[/code]")),
                Node::Person { account_id, show } => {
                    let name = match show {
                        PersonShow::Icon => "picon",
                        PersonShow::Name => "pname",
                        PersonShow::IconName => "piconname",
                    };
                    out.push_str(&format!("[{name}:{account_id}]"));
                }
                Node::Download { file_id, children } => {
                    let children = to_notation(children);
                    out.push_str(&format!("[download:{file_id}]{children}[/download]"));
                }
                Node::Preview { file_id, height } => {
                    let height = height.map_or(String::new(), |h| format!(" ht={h}"));
                    out.push_str(&format!("[preview id={file_id}{height}]"));
                }
                Node::Task {
                    account_id,
                    done,
                    limit,
                    limit_type,
                    children,
                } => {
                    let account_id = account_id.as_deref().unwrap_or("");
                    let status = if *done { "done" } else { "open" };
                    let limit = limit.unwrap_or(0);
                    let limit_type = limit_type.as_deref().unwrap_or("");
                    let children = to_notation(children);
                    out.push_str(&format!(
                        "[task aid={account_id} st={status} lt={limit} ltype={limit_type}]{children}[/task]"
                    ));
                }
                Node::SystemText { key } => out.push_str(&format!("[dtext:{key}]")),
                Node::Deleted => out.push_str("[delete]"),
            }
        }
        out
    }

    fn depth(nodes: &[Node]) -> usize {
        nodes
            .iter()
            .map(|node| match node {
                Node::Quote { children, .. }
                | Node::Download { children, .. }
                | Node::Task { children, .. } => 1 + depth(children),
                Node::Info { title, children } => {
                    1 + depth(children).max(title.as_deref().map_or(0, depth))
                }
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    fn assert_text_merged(nodes: &[Node]) {
        for pair in nodes.windows(2) {
            let both_text = matches!(pair, [Node::Text(_), Node::Text(_)]);
            assert!(!both_text, "adjacent text nodes: {pair:?}");
        }
        for node in nodes {
            match node {
                Node::Text(value) => assert!(!value.is_empty(), "empty text node"),
                Node::Quote { children, .. }
                | Node::Download { children, .. }
                | Node::Task { children, .. } => assert_text_merged(children),
                Node::Info { title, children } => {
                    assert_text_merged(title.as_deref().unwrap_or(&[]));
                    assert_text_merged(children);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn plain_body_is_one_text() {
        assert_eq!(parse("お疲れさまです。"), vec![text("お疲れさまです。")]);
        assert_eq!(parse(""), Vec::<Node>::new());
    }

    #[test]
    fn mention_then_name_text() {
        assert_eq!(
            parse("[To:123]山田さん\n確認お願いします"),
            vec![to("123"), text("山田さん\n確認お願いします")]
        );
    }

    #[test]
    fn tag_names_ignore_case() {
        assert_eq!(
            parse("[to:1][TO:2][toall][TOALL][HR][Hr]"),
            vec![
                to("1"),
                to("2"),
                Node::ToAll,
                Node::ToAll,
                Node::Hr,
                Node::Hr
            ]
        );
    }

    #[test]
    fn reply_keeps_19_digit_ids() {
        assert_eq!(
            parse("[rp aid=1234567 to=98765-1570000000000000001]田中さん"),
            vec![
                Node::Reply {
                    account_id: "1234567".into(),
                    room_id: Some("98765".into()),
                    message_id: Some("1570000000000000001".into()),
                },
                text("田中さん"),
            ]
        );
    }

    #[test]
    fn reply_attributes_in_any_order() {
        let expected = vec![Node::Reply {
            account_id: "7".into(),
            room_id: Some("5".into()),
            message_id: Some("6".into()),
        }];
        assert_eq!(parse("[rp to=5-6 aid=7]"), expected);
        assert_eq!(parse("[RP TO=5-6 AID=7]"), expected);
        assert_eq!(parse("[返信 aid=7 to=5-6]"), expected);
    }

    #[test]
    fn reply_with_partial_target() {
        assert_eq!(
            parse("[rp aid=7 to=5]"),
            vec![Node::Reply {
                account_id: "7".into(),
                room_id: Some("5".into()),
                message_id: None,
            }]
        );
        assert_eq!(
            parse("[rp aid=7]"),
            vec![Node::Reply {
                account_id: "7".into(),
                room_id: None,
                message_id: None,
            }]
        );
    }

    #[test]
    fn quote_with_meta() {
        assert_eq!(
            parse("[qt][qtmeta aid=11 time=1700000000]明日は休みます[/qt]了解です"),
            vec![
                quote(
                    Some("11"),
                    Some(1_700_000_000),
                    vec![text("明日は休みます")]
                ),
                text("了解です"),
            ]
        );
    }

    #[test]
    fn quote_meta_time_may_be_missing() {
        assert_eq!(
            parse("[qt][qtmeta aid=11]本文[/qt]"),
            vec![quote(Some("11"), None, vec![text("本文")])]
        );
        assert_eq!(
            parse("[qt]本文[/qt]"),
            vec![quote(None, None, vec![text("本文")])]
        );
    }

    #[test]
    fn japanese_quote_alias() {
        assert_eq!(
            parse("[引用 aid=11 time=100]本文[/引用]"),
            vec![quote(Some("11"), Some(100), vec![text("本文")])]
        );
    }

    #[test]
    fn quotes_nest() {
        assert_eq!(
            parse("[qt][qtmeta aid=1 time=10][qt][qtmeta aid=2 time=5]元[/qt]返答[/qt]再返答"),
            vec![
                quote(
                    Some("1"),
                    Some(10),
                    vec![quote(Some("2"), Some(5), vec![text("元")]), text("返答")]
                ),
                text("再返答"),
            ]
        );
    }

    #[test]
    fn quote_meta_elsewhere_is_literal() {
        assert_eq!(
            parse("[qt]x[qtmeta aid=1][/qt]"),
            vec![quote(None, None, vec![text("x[qtmeta aid=1]")])]
        );
        assert_eq!(
            parse("[qtmeta aid=1 time=2]"),
            vec![text("[qtmeta aid=1 time=2]")]
        );
    }

    #[test]
    fn info_with_and_without_title() {
        assert_eq!(
            parse("[info][title]定例会議[/title]10時から[hr]第2会議室[/info]"),
            vec![Node::Info {
                title: Some(vec![text("定例会議")]),
                children: vec![text("10時から"), Node::Hr, text("第2会議室")],
            }]
        );
        assert_eq!(
            parse("[info]お知らせ[/info]"),
            vec![Node::Info {
                title: None,
                children: vec![text("お知らせ")],
            }]
        );
    }

    #[test]
    fn title_outside_info_is_literal() {
        assert_eq!(
            parse("[title]見出し[/title]"),
            vec![text("[title]見出し[/title]")]
        );
        assert_eq!(
            parse("[info]前[title]見出し[/title][/info]"),
            vec![Node::Info {
                title: None,
                children: vec![text("前[title]見出し[/title]")],
            }]
        );
    }

    #[test]
    fn code_content_is_not_parsed() {
        let nodes = parse("[code][To:1][qt]x[/qt][toall][/CODE]後");
        assert_eq!(
            nodes,
            vec![Node::Code("[To:1][qt]x[/qt][toall]".into()), text("後")]
        );
        assert_eq!(links(&nodes), Links::default());
    }

    #[test]
    fn unclosed_code_is_literal() {
        assert_eq!(
            parse("[code]a[/code][code][To:1]b"),
            vec![Node::Code("a".into()), text("[code]"), to("1"), text("b")]
        );
    }

    #[test]
    fn person_tags() {
        let person = |id: &str, show| Node::Person {
            account_id: id.into(),
            show,
        };
        assert_eq!(
            parse("[picon:1][pname:2][piconname:3]"),
            vec![
                person("1", PersonShow::Icon),
                person("2", PersonShow::Name),
                person("3", PersonShow::IconName),
            ]
        );
    }

    #[test]
    fn download_and_preview() {
        assert_eq!(
            parse("[download:12345]議事録.pdf (247.60 KB)[/download][preview id=12345 ht=150]"),
            vec![
                Node::Download {
                    file_id: "12345".into(),
                    children: vec![text("議事録.pdf (247.60 KB)")],
                },
                Node::Preview {
                    file_id: "12345".into(),
                    height: Some(150),
                },
            ]
        );
        assert_eq!(
            parse("[preview id=9 ht=tall]"),
            vec![Node::Preview {
                file_id: "9".into(),
                height: None,
            }]
        );
    }

    #[test]
    fn task_fields() {
        assert_eq!(
            parse("[task aid=5 st=open lt=1700000000 ltype=date]資料作成[/task]"),
            vec![Node::Task {
                account_id: Some("5".into()),
                done: false,
                limit: Some(1_700_000_000),
                limit_type: Some("date".into()),
                children: vec![text("資料作成")],
            }]
        );
    }

    #[test]
    fn task_zero_limit_means_none() {
        assert_eq!(
            parse("[task ltype=none lt=0 st=done aid=5]完了[/task]"),
            vec![Node::Task {
                account_id: Some("5".into()),
                done: true,
                limit: None,
                limit_type: Some("none".into()),
                children: vec![text("完了")],
            }]
        );
    }

    #[test]
    fn system_message() {
        let nodes =
            parse("[info][dtext:chatroom_member_is][piconname:42][dtext:chatroom_added][/info]");
        assert_eq!(
            nodes,
            vec![Node::Info {
                title: None,
                children: vec![
                    Node::SystemText {
                        key: "chatroom_member_is".into()
                    },
                    Node::Person {
                        account_id: "42".into(),
                        show: PersonShow::IconName,
                    },
                    Node::SystemText {
                        key: "chatroom_added".into()
                    },
                ],
            }]
        );
        let names = |id: &str| (id == "42").then(|| "山田".to_owned());
        assert_eq!(plain_text(&nodes, &names), "メンバー山田を追加しました");
        assert_eq!(plain_text(&nodes, &no_names), "メンバーを追加しました");
    }

    #[test]
    fn listed_members_are_separated_in_plain_text() {
        let nodes = parse(
            "[info][dtext:chatroom_member_is][piconname:1][piconname:2][piconname:3][piconname:4][dtext:chatroom_added][/info]",
        );
        let names = |id: &str| match id {
            "1" => Some("田中 修".to_owned()),
            "2" => Some("野村 直樹".to_owned()),
            "4" => Some("前田 翔太".to_owned()),
            _ => None,
        };
        assert_eq!(
            plain_text(&nodes, &names),
            "メンバー田中 修、野村 直樹、前田 翔太を追加しました"
        );
        // Two tags with text between them are not a list.
        let apart = parse("[piconname:1]と[piconname:2]");
        assert_eq!(plain_text(&apart, &names), "田中 修と野村 直樹");
    }

    #[test]
    fn deleted_placeholder_only_as_whole_body() {
        assert_eq!(parse("[delete]"), vec![Node::Deleted]);
        assert_eq!(parse("[deleted]"), vec![Node::Deleted]);
        assert_eq!(parse(" [deleted]\n"), vec![Node::Deleted]);
        assert_eq!(parse("[deleted]です"), vec![text("[deleted]です")]);
    }

    #[test]
    fn unknown_and_malformed_tags_are_literal() {
        for body in [
            "[foo]bar[/foo]",
            "[To:abc]",
            "[To:]",
            "[To:1 ]",
            "[ To:1]",
            "[rp to=1-2]",
            "[rp aid=x to=1-2]",
            "[rp aid=1 to=2-3 junk]",
            "[hr x=1]",
            "[preview ht=10]",
            "[download:abc]x[/download]",
            "[dtext:]",
            "[dtext:a b]",
            "[/foo]",
            "[]",
            "[/]",
        ] {
            assert_eq!(parse(body), vec![text(body)], "{body}");
        }
    }

    #[test]
    fn unmatched_closing_is_literal() {
        assert_eq!(
            parse("abc[/qt]def[/info]"),
            vec![text("abc[/qt]def[/info]")]
        );
    }

    #[test]
    fn unclosed_opening_is_literal() {
        assert_eq!(
            parse("[qt][qtmeta aid=1 time=2][To:5]abc"),
            vec![text("[qt][qtmeta aid=1 time=2]"), to("5"), text("abc")]
        );
    }

    #[test]
    fn crossed_pairs_keep_outer_pair() {
        assert_eq!(
            parse("[qt]a[info]b[/qt]c[/info]"),
            vec![quote(None, None, vec![text("a[info]b")]), text("c[/info]")]
        );
    }

    #[test]
    fn stray_brackets_are_literal() {
        assert_eq!(parse("[[To:1]]"), vec![text("["), to("1"), text("]")]);
        assert_eq!(parse("a[b"), vec![text("a[b")]);
        assert_eq!(parse("]["), vec![text("][")]);
        assert_eq!(parse("[foo][bar]x"), vec![text("[foo][bar]x")]);
    }

    #[test]
    fn nesting_stops_at_limit() {
        let extra = 36;
        let levels = MAX_NESTING + extra;
        let body = format!("{}x{}", "[qt]".repeat(levels), "[/qt]".repeat(levels));
        let nodes = parse(&body);

        assert_eq!(nodes.len(), 2);
        assert_eq!(depth(&nodes), MAX_NESTING);
        assert_eq!(nodes[1], text(&"[/qt]".repeat(extra)));
        assert_eq!(to_notation(&nodes), body);
    }

    #[test]
    fn links_skip_quoted_mentions() {
        let nodes = parse(
            "[To:1][To:2][To:1][qt][qtmeta aid=3 time=9][To:4][toall][rp aid=5 to=6-7]\
             [qt][qtmeta aid=8]深い[/qt][/qt][rp aid=9 to=6-10][info][To:11][/info]",
        );
        let links = links(&nodes);
        assert_eq!(links.mentions, vec!["1", "2", "11"]);
        assert!(!links.to_all);
        assert_eq!(
            links.replies,
            vec![ReplyTarget {
                account_id: "9".into(),
                room_id: Some("6".into()),
                message_id: Some("10".into()),
            }]
        );
        assert_eq!(
            links.quotes,
            vec![
                QuoteSource {
                    account_id: Some("3".into()),
                    time: Some(9),
                },
                QuoteSource {
                    account_id: Some("8".into()),
                    time: None,
                },
            ]
        );
    }

    #[test]
    fn links_see_live_to_all() {
        assert!(links(&parse("[toall]全員確認してください")).to_all);
    }

    #[test]
    fn bodies_with_a_bracket_are_not_plain() {
        for body in ["[delete]", " [deleted] ", "[To:1]", "a[b", "["] {
            assert!(!is_plain(body), "{body}");
        }
        assert!(is_plain("お疲れ様です。]"));
    }

    #[test]
    fn plain_text_drops_tags_keeps_content() {
        let nodes = parse(
            "[To:1]山田さん\n[qt][qtmeta aid=2 time=3]引用文[/qt][info][title]件名[/title]本文[/info]\
             [code][To:9][/code][download:4]a.pdf[/download][preview id=4][hr][dtext:unknown_key]",
        );
        assert_eq!(
            plain_text(&nodes, &no_names),
            "山田さん\n引用文件名\n本文[To:9]a.pdfunknown_key"
        );
    }

    #[test]
    fn plain_text_of_group_creation() {
        let nodes = parse(
            "[info][title][dtext:chatroom_groupchat_created][/title]\
             [dtext:chatroom_chatname_is]営業部[dtext:chatroom_set][/info]",
        );
        assert_eq!(
            plain_text(&nodes, &no_names),
            "グループチャットを新しく作成しました\nチャット名を営業部に変更しました"
        );
    }

    #[test]
    fn huge_body_parses_in_linear_time() {
        let unit = "[To:1]山田さん [qt][qtmeta aid=2 time=3]引用[/qt][code]x[/code] [[ ]] ";
        let body = unit.repeat(5_000_000 / unit.len());
        let started = Instant::now();
        let nodes = parse(&body);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(to_notation(&nodes), body);
    }

    #[test]
    fn many_unclosed_tags_stay_linear() {
        for unit in ["[qt]", "[code]", "[info]a", "[", "[/qt]", "[qt][/info]"] {
            let body = unit.repeat(100_000);
            let started = Instant::now();
            let nodes = parse(&body);
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{unit}: took {:?}",
                started.elapsed()
            );
            assert_eq!(nodes, vec![text(&body)], "{unit}");
        }
    }

    #[test]
    fn many_mentions_stay_linear() {
        let body: String = (0..50_000)
            .map(|id| format!("[To:{id}][To:{id}]"))
            .collect();
        let started = Instant::now();
        let links = links(&parse(&body));
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(links.mentions.len(), 50_000);
        assert_eq!(links.mentions[49_999], "49999");
    }

    proptest! {
        #[test]
        fn canonical_notation_round_trips(
            fragments in proptest::collection::vec(
                prop_oneof![
                    Just("["), Just("]"), Just("/"), Just("a"), Just("あ"), Just("\n"),
                    Just("[To:1]"), Just("[toall]"), Just("[rp aid=1 to=2-3]"),
                    Just("[qt]"), Just("[qtmeta aid=1 time=5]"), Just("[/qt]"), Just("qt"),
                    Just("[info]"), Just("[/info]"), Just("[title]"), Just("[/title]"),
                    Just("[hr]"), Just("[code]"), Just("[/code]"), Just("[picon:1]"),
                    Just("[piconname:2]"), Just("[download:5]"), Just("[/download]"),
                    Just("[preview id=5 ht=10]"), Just("[task aid=1 st=open lt=5 ltype=date]"),
                    Just("[/task]"), Just("[dtext:x]"), Just("[foo]"), Just("1"),
                ],
                0..60,
            )
        ) {
            let body: String = fragments.concat();
            let nodes = parse(&body);
            prop_assert_eq!(to_notation(&nodes), body);
            assert_text_merged(&nodes);
        }

        #[test]
        fn random_text_never_panics(body in any::<String>()) {
            let nodes = parse(&body);
            assert_text_merged(&nodes);
            prop_assert!(depth(&nodes) <= MAX_NESTING);
            let _ = plain_text(&nodes, &no_names);
            let _ = links(&nodes);
        }

        /// The shortcut `is_plain` allows: such a body parses to itself.
        #[test]
        fn plain_body_parses_to_itself(body in "[^\\[]*") {
            prop_assert!(is_plain(&body));
            let nodes = parse(&body);
            let expected = if body.is_empty() { vec![] } else { vec![text(&body)] };
            prop_assert_eq!(&nodes, &expected);
            prop_assert_eq!(plain_text(&nodes, &no_names), body.clone());
            prop_assert!(links(&nodes).mentions.is_empty());
            prop_assert!(!crate::import::rows::body_facts(&nodes).has_file);
        }

        #[test]
        fn text_without_closing_bracket_is_kept(body in "[^\\]]*") {
            let nodes = parse(&body);
            if !crate::model::is_deleted_body(&body) && !body.is_empty() {
                prop_assert_eq!(nodes, vec![text(&body)]);
            }
        }
    }
}
