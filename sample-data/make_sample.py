#!/usr/bin/env python3
"""Write the cwlens sample data: a Chatwork Enterprise CSV export and an API v2 JSON backup.

Outputs, next to this script:

    chatwork-export/  CSV export in the reference layout (members/, rooms/<xx>/<room_id>/)
    api-backup/       smaller backup in the Chatwork API v2 JSON layout

All people, companies and events are invented. The data exercises what the
importer and the investigation views must handle: Chatwork notation, edit and
delete history, resigned users, a power-harassment thread an investigator has
to find, and text that trips up spreadsheets and naive encodings.

The run uses a fixed seed and no clock or network, so it rewrites the committed
files byte for byte. It ends by printing the counts that README.md quotes.

NOTE: Python guarantees the seeded sequence of random.random() only. Helpers
such as randint() and choice() may change between Python versions, so another
version than 3.11 can produce different (still valid) data.
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

SEED = 20240614
OUT_DIR = Path(__file__).resolve().parent
EXPORT_DIR = OUT_DIR / "chatwork-export"
API_DIR = OUT_DIR / "api-backup"

ORG_NAME = "株式会社見本商事"
PARTNER_ORG_NAME = "見本物流株式会社"
# Made-up organization ID for the API member objects.
API_ORGANIZATION_ID = 4082113

JST = timezone(timedelta(hours=9))
# The Enterprise export includes edit and delete history only for changes made
# after about this moment, so earlier changes get no message_logs.csv rows.
HISTORY_CUTOFF = datetime(2017, 10, 27, 16, 30, tzinfo=JST)

# Message IDs are 19-digit numbers that grow with the send time.
MESSAGE_ID_BASE = 1_700_000_000_000_000_000
MESSAGE_ID_EPOCH = datetime(2017, 1, 1, tzinfo=JST)

ROLE_NAMES_JA = {"admin": "管理者", "member": "メンバー", "readonly": "閲覧のみ"}
ROOM_KINDS_JA = {"group": "グループ", "direct": "ダイレクト"}

EXPORT_HEADERS = {
    "members": ["ルームID", "ルーム名", "種別", "ファイルパス", "アカウントID", "名前", "権限"],
    "messages": ["メッセージID", "アカウントID", "名前", "送信日時", "更新日時", "本文"],
    "message_logs": ["メッセージID", "操作", "操作日時", "操作前の本文"],
    "files": ["ファイルID", "メッセージID", "アカウントID", "名前", "ファイル名", "サイズ", "アップロード日時", "URL"],
    "room_members": ["アカウントID", "名前", "権限", "組織名", "部署"],
}

# The export's name for accounts deleted before 2016-03-09.
ANONYMOUS_RESIGNED_NAME = "解約済みユーザー"


# ---------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------

WEEKDAY_NAMES = "月火水木金土日"

# Japanese public holidays and the company's New Year closure within the covered periods.
HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2017-07-17", "2017-08-11", "2017-09-18", "2017-10-09", "2017-11-03", "2017-11-23",
        "2024-01-01", "2024-01-02", "2024-01-03", "2024-01-08", "2024-02-12", "2024-02-23",
        "2024-03-20", "2024-04-29", "2024-05-03", "2024-05-06",
    )
)


def jst(text: str) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM[:SS]' as Japan time."""
    pattern = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.strptime(text, pattern).replace(tzinfo=JST)


def unix_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def export_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def business_days(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def format_day(day: date) -> str:
    """Format a date the way people type it in chat, e.g. 3/12(火)."""
    return f"{day.month}/{day.day}({WEEKDAY_NAMES[day.weekday()]})"


def random_work_time(rng: random.Random, day: date) -> datetime:
    """Pick a time on day, mostly in office hours with a few early and evening messages."""
    hours = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    weights = [2, 10, 12, 12, 5, 10, 12, 12, 11, 9, 5, 3, 1]
    hour = rng.choices(hours, weights=weights)[0]
    clock = time(hour, rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, clock, JST)


# ---------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    key: str
    account_id: int
    name: str
    department: str
    title: str = ""
    organization: str = ORG_NAME
    # Suffix the export appends to the name of a resigned user, e.g. "(解約済)".
    resigned_marker: str = ""
    resigned_at: datetime | None = None
    # True when the export replaces the whole name with ANONYMOUS_RESIGNED_NAME.
    anonymized: bool = False

    @property
    def family_name(self) -> str:
        return self.name.split(" ")[0]

    @property
    def export_name(self) -> str:
        if self.anonymized:
            return ANONYMOUS_RESIGNED_NAME
        return self.name + self.resigned_marker

    def mention(self) -> str:
        return f"[To:{self.account_id}]{self.name}さん"

    def can_post_at(self, moment: datetime) -> bool:
        return self.resigned_at is None or moment < self.resigned_at


@dataclass(eq=False)
class Membership:
    person: Person
    role: str  # admin, member or readonly
    joined: datetime
    left: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.joined <= moment and (self.left is None or moment < self.left)


@dataclass(eq=False)
class Room:
    key: str
    room_id: int
    name: str
    kind: str  # group or direct
    theme: str
    bucket: str
    start: datetime
    dataset: str = "export"  # export (CSV) or api (JSON backup)
    memberships: list[Membership] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    files: list[SharedFile] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"rooms/{self.bucket}/{self.room_id}"

    def membership_of(self, person: Person) -> Membership | None:
        for membership in self.memberships:
            if membership.person is person:
                return membership
        return None

    def posters_at(self, moment: datetime) -> list[Person]:
        """Return the members who can send a message at moment: active, not read-only, not resigned."""
        return [
            membership.person
            for membership in self.memberships
            if membership.active_at(moment)
            and membership.role != "readonly"
            and membership.person.can_post_at(moment)
        ]

    def admins_at(self, moment: datetime) -> list[Person]:
        return [
            membership.person
            for membership in self.memberships
            if membership.active_at(moment) and membership.role == "admin" and membership.person.can_post_at(moment)
        ]

    def listed_memberships(self) -> list[Membership]:
        """Return the memberships the export lists: everyone who did not leave or get removed."""
        return [membership for membership in self.memberships if membership.left is None]


@dataclass(eq=False)
class Message:
    room: Room
    sender: Person
    # Every version of the text, oldest first, with the time it was sent or edited.
    # Placeholders such as {{quote:KEY}} are resolved when the body is rendered.
    versions: list[tuple[datetime, str]]
    seq: int
    reply_to: Message | None = None
    deleted_at: datetime | None = None
    system: bool = False
    scripted: bool = False
    message_id: int = 0
    files: list[SharedFile] = field(default_factory=list)

    @property
    def send_time(self) -> datetime:
        return self.versions[0][0]

    @property
    def edited(self) -> bool:
        return len(self.versions) > 1

    def edit(self, when: str | datetime, text: str) -> Message:
        moment = jst(when) if isinstance(when, str) else when
        self.versions.append((moment, text))
        return self

    def delete(self, when: str | datetime) -> Message:
        self.deleted_at = jst(when) if isinstance(when, str) else when
        return self


@dataclass(eq=False)
class SharedFile:
    file_id: int
    filename: str
    size: int
    message: Message | None = None

    @property
    def is_image(self) -> bool:
        return self.filename.lower().endswith((".png", ".jpg", ".jpeg"))


def format_file_size(size: int) -> str:
    """Format a size like the Chatwork file link text, e.g. 247.60 KB."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.2f} MB"
    return f"{size / 1024:.2f} KB"


def file_link(shared: SharedFile) -> str:
    return f"[download:{shared.file_id}]{shared.filename} ({format_file_size(shared.size)})[/download]"


def upload_block(shared: SharedFile) -> str:
    preview = f"[preview id={shared.file_id} ht=150]" if shared.is_image else ""
    return f"[info][title][dtext:file_uploaded][/title]{preview}{file_link(shared)}[/info]"


def task_block(assignee: Person, text: str, deadline: date | None, done: bool = False) -> str:
    """Build the system message Chatwork posts when a task is added or completed."""
    status = "done" if done else "open"
    event = "task_done" if done else "task_added"
    if deadline is None:
        limit = "lt=0 ltype=none"
    else:
        limit = f"lt={unix_seconds(datetime.combine(deadline, time(0), JST))} ltype=date"
    return (
        f"[info][title][dtext:{event}][/title]"
        f"[task aid={assignee.account_id} st={status} {limit}]{text}[/task][/info]"
    )


# ---------------------------------------------------------------------------
# Vocabulary for the filler conversations
#
# Templates contain {slot} names. ThreadWriter.fill() replaces each slot with a
# filled entry of the list of that name, looking in the room's theme first and
# then in COMMON_VOCABULARY (both lists are merged). Most slots keep their
# value for a whole conversation, so a thread talks about one client and date.
# ---------------------------------------------------------------------------

# Slots that get a new value at every use instead of one value per conversation.
FREE_SLOTS = frozenset({"opener", "closer", "ack", "emo", "point", "thanks_short"})

COMMON_VOCABULARY: dict[str, list] = {
    "opener": ["お疲れさまです。", "お疲れ様です！", "お疲れさまです、", "", "", ""],
    "closer": [
        "よろしくお願いします。", "よろしくお願いいたします {emo}", "ご確認お願いします！",
        "取り急ぎご連絡まで。", "", "お手すきの際にご確認ください。",
    ],
    "ack": [
        "承知しました！", "了解です (y)", "かしこまりました。", "ありがとうございます、確認します。",
        "了解しました👍", "承知いたしました (bow)", "OKです！", "はーい、了解です :)",
        "ありがとうございます！助かります。", "承知です～", "確認しました。",
    ],
    "thanks_short": ["ありがとうございます！", "助かります (bow)", "了解です、ありがとうございます。", "ありがとうございます🙏"],
    "emo": [
        "(bow)", "(y)", ":)", "(cracker)", "(roger)", "(clap)", "(sweat)", "(please)",
        "(lightbulb)", "(handshake)", ";)", ":D", "🙇", "👍", "🙏", "✨",
    ],
    "place": [
        "第1会議室", "第2会議室", "応接室A", "3階の打ち合わせスペース",
        "オンライン（URLは別途お送りします）", "本社 大会議室",
    ],
    "conflict": ["来客対応", "別件の打ち合わせ", "外出", "面接", "健康診断", "研修", "移動"],
    "join_welcome": ["もちろんです！招待を送ります。", "ぜひお願いします (y)", "助かります、よろしくお願いします。"],
    "meeting": ["定例ミーティング", "打ち合わせ", "週次の定例", "進捗確認"],
    "client": [
        "株式会社見本物産", "みほん工業株式会社", "架空システム株式会社", "株式会社サンプル食品",
        "有限会社ためし製作所", "テスト運輸株式会社", "株式会社もくひょう建設", "株式会社ひな形不動産",
        "見本ホールディングス株式会社", "株式会社例題ケミカル",
    ],
    "product": ["見本ノートPRO", "サンプル複合機 S2", "ためしクラウド会計", "架空チェア Ergo", "見本タブレット 10", "サンプル保守パック"],
    "thing_done": ["資料のチェック", "急ぎの対応", "会議室の手配", "資料の差し替え", "引き継ぎのメモ", "フォロー"],
    "greeting": [
        ("おはようございます。本日は在宅勤務です。何かあればチャットでお願いします。", ""),
        ("本日は体調不良のためお休みをいただきます。急ぎの件は{name}さんにお願いします。", "承知しました。お大事にしてください。"),
        ("電車遅延のため10分ほど遅れます (sweat)", "了解です！気をつけて来てください。"),
        ("本日は通院のため、午前休をいただきます。", "承知しました。"),
        ("お先に失礼します。明日は{time}から出社します。", "お疲れさまでした！"),
        ("おはようございます！本日もよろしくお願いします。", ""),
        ("本日は子どもの学校行事のため、16時で退社します。", "了解です、いってらっしゃい！"),
    ],
    "qa": [
        ("明日の打ち合わせ、資料は紙で配りますか？", "画面共有で進めるので紙は不要です！"),
        ("会議室の予約、{date}の午後で空いているところはありますか？", "{place}が15時以降空いています。押さえておきますね。"),
        ("共有フォルダにアクセスできなくなりました。同じ人いますか？", "私も一瞬つながりませんでしたが、今は大丈夫そうです。"),
        ("{date}の{time}、どなたか電話番をお願いできますか？", "私が席にいるので対応します！"),
    ],
    # Small talk: each line names the kind of reply that fits it.
    "chat": [
        ("今日のランチ、{shop}に行きませんか？", "invite"), ("昼休みに3階でストレッチしませんか？ 肩こりがひどくて…", "invite"),
        ("来週の{hobby}、一緒に行く人いますか？", "invite"), ("{shop}、明日は大盛り無料らしいです！", "invite"),
        ("差し入れのお菓子、休憩スペースに置いています🍪 ご自由にどうぞ (cracker)", "share"),
        ("{name}さんからのお土産、休憩スペースにあります！ありがとうございます🙏", "share"),
        ("{shop}の日替わり、今日は唐揚げでした🍗", "story"), ("駅前に新しいカフェができていました☕ 今度行ってみます", "story"),
        ("週末は{hobby}に行ってきました！", "story"), ("自販機に新しいコーヒーが入っていました☕", "story"),
        ("雨すごいですね…☔ 帰り気をつけてください", "weather"), ("最近寒暖差が激しいですね。体調に気をつけましょう", "weather"),
        ("今日は花粉がすごいです🤧", "weather"),
    ],
    "chat_reply_invite": ["いいですね！行きたいです😋", "私もご一緒します！", "ぜひぜひ！", "あとで行きます！", "(y)", "今日はお弁当なので、また誘ってください🙏"],
    "chat_reply_share": ["ありがとうございます！いただきます (bow)", "いただきました！おいしかったです😋", "ありがとうございます🙏"],
    "chat_reply_story": ["楽しそう！", "写真ください📷", "気になっていました！", ":D", "いいですね～"],
    "chat_reply_weather": ["わかります…", "本当にそうですね (sweat)", "気をつけます！", "皆さんもお気をつけて～"],
    "shop": ["見本食堂", "定食屋さくら", "カレーのためし屋", "そば処みほん", "パスタ工房サンプル", "中華料理 例題軒"],
    "hobby": ["釣り", "キャンプ", "美術館", "子どもの運動会", "温泉", "マラソン大会", "実家の田植え", "ボウリング大会"],
    "thing": ["先日お願いした件", "{doc}", "来週の準備"],
    "status": ["いま対応中です。{date}までには終わる見込みです。", "本日中に送ります！", "先方の回答待ちです。", "完了しています。ご報告が遅れました (sweat)"],
    "doc": ["資料", "議事録", "報告書"],
    "task": ["{doc}の作成", "{date}の会議の準備"],
}

THEME_VOCABULARY: dict[str, dict[str, list]] = {
    "sales": {
        "meeting": [
            "週次の営業会議", "{client}様向け提案の事前確認", "案件の進捗共有", "見積条件のすり合わせ",
            "同行訪問の打ち合わせ", "{month}月の売上見込みの確認",
        ],
        "report_head": [
            "{client}様訪問の報告です。", "本日の{client}様との商談について共有します。",
            "{client}様から回答がありましたので報告します。", "{product}の件、{client}様の状況を共有します。",
        ],
        "point": [
            "{product}の導入を前向きに検討中とのこと", "予算は{amount}前後で調整中", "競合他社からも提案が来ているそうです",
            "決裁は来月の役員会で行われる予定", "納期は{next_month}月中を希望されています",
            "既存機の保守更新も合わせて相談したいとのこと", "担当者が{next_month}月から交代になるそうです",
            "デモ機の貸し出しを希望されています", "見積の有効期限を延ばしてほしいとの要望あり", "導入台数は{n}台の見込み",
        ],
        "report_tail": ["次回は{date}に再訪問の予定です。", "{date}までに見積を再提出します。", "引き続きフォローします。", "ご意見あればお願いします。", ""],
        "report_comment": [
            "報告ありがとうございます。{client}様は年度末で動きが早いので、フォローよろしく。",
            "いい流れですね (y) 値引きの相談があれば早めに言ってください。",
            "ありがとう。競合の価格感も探っておいてください。", "了解です。次回訪問、私も同行できます。",
            "ありがとうございます。見積の条件は前回と同じで大丈夫です。",
        ],
        "doc": ["見積書", "提案書", "訪問報告書", "値引き稟議", "契約書のドラフト", "受注報告書"],
        "approval_fix": [
            "{n}ページ目の金額が税抜と税込で混ざっているので、どちらかに揃えてください。",
            "有効期限の記載が抜けているので追記をお願いします。", "宛名の会社名を正式名称に直してください。",
        ],
        "qa": [
            ("{client}様の{doc}、前回の版はどこに保存してありますか？", "共有フォルダの「営業/{year}/{client}」の下にあります！"),
            ("{product}の在庫、{n}台ほどすぐ出せますか？", "倉庫に確認したところ、{n}台なら来週出荷できるそうです。"),
            ("{client}様の担当者のメールアドレス、どなたかご存じですか？", "名刺管理に登録してあります。社名で検索すると出てきますよ。"),
            ("今月の目標に対する進捗、何%くらいですか？", "現時点で{pct}%です。月末の{client}様の受注が決まれば達成見込みです。"),
            ("{product}の価格改定っていつからでしたっけ？", "{next_month}月1日の受注分からです。旧価格での見積は今月中の提出分までです。"),
            ("社用車、{date}の午後に使う人いますか？", "今のところ予約は入っていないです！"),
        ],
        "task": ["{client}様へ{doc}を送付", "{product}のデモ機を手配", "{month}月の売上見込みを更新", "{client}様の訪問日程を調整", "{client}様へお礼のメールを送付"],
        "thing": ["{client}様の{doc}", "{product}の見積", "{client}様へのお礼状", "デモ機の返却"],
        "status": ["先方で確認中です。{date}までに回答をもらえる予定です。", "本日送付済みです！", "社内確認中なので、明日には出せます。", "先方の決裁待ちです。"],
        "greeting": [
            ("おはようございます。本日は{client}様へ直行し、午後から出社します。", ""),
            ("本日は終日外回りです。急ぎの件は携帯にお願いします。", "了解です、気をつけて！"),
            ("{client}様との打ち合わせが長引いていて、帰社は18時ごろになります。", "承知しました。"),
        ],
        "file": ["見積書_{client}_{yyyymmdd}.pdf", "提案書_{product}_v{n}.pptx", "訪問報告_{yyyymmdd}.docx", "売上見込み_{month}月.xlsx", "商談メモ_{client}.pdf"],
        "notice": [
            ("{month}月の営業会議について", "{date} {time}から{place}で行います。\n各自、案件リストを前日までに更新しておいてください。"),
            ("展示会の応援のお願い", "{date}の展示会で説明員が足りていません。\n半日でも参加できる方は{name}さんまで連絡をお願いします。"),
        ],
    },
    "soumu": {
        "meeting": ["防災訓練の打ち合わせ", "オフィスレイアウト変更の相談", "備品棚卸しの段取り確認", "ビル管理会社との定例"],
        "report_head": ["備品の棚卸し結果です。", "ビル管理会社からの連絡事項を共有します。", "防災訓練の準備状況です。", "{month}月の会議室の利用状況をまとめました。"],
        "point": [
            "コピー用紙の在庫が残り{n}箱です", "プロジェクター1台のランプが切れています", "避難経路の案内図を3フロア分張り替えました",
            "消火器の点検は{date}に実施予定です", "会議室予約の空振りが{n}件ありました", "来客用のスリッパを{n}足追加しました",
            "入館証の再発行が{n}件ありました", "複合機のトナーは発注済みです",
        ],
        "report_tail": ["何かあればご連絡ください。", "来月も同じ時期に確認します。", ""],
        "report_comment": [
            "ありがとうございます。在庫が少ないものは早めに発注しましょう。", "確認しました、助かります (bow)",
            "了解です。案内図の写真も共有フォルダに入れておいてください。",
        ],
        "doc": ["備品購入申請", "防災訓練の実施計画", "会議室利用ルールの改定案", "名刺の発注リスト"],
        "approval_fix": ["金額の合計が合っていないようです。もう一度見てもらえますか？", "実施日が土曜日になっているので確認をお願いします。"],
        "qa": [
            ("コピー用紙の在庫が少なくなっています。発注をお願いできますか？", "発注しておきます！明後日には届く予定です。"),
            ("来客用の駐車場、{date}の午後は空いていますか？", "1台分空いています。押さえておきますね。"),
            ("3階の空調が効きすぎて寒いです (sweat)", "ビル管理会社に連絡しました。午後には調整してもらえるそうです。"),
            ("名刺の追加発注をお願いしたいです。100枚です。", "承知しました。申請フォームから入力をお願いします！"),
            ("宅配便の集荷って何時まででしたっけ？", "17時です。それ以降は翌日の扱いになります。"),
            ("会議室のモニター用の変換アダプタはどこにありますか？", "総務の棚の2段目、「ケーブル類」の箱に入っています。"),
        ],
        "task": ["コピー用紙の発注", "消火器点検の立ち会い", "入館証の回収", "会議室予約の案内を作成"],
        "greeting": [("本日は午後から半休をいただきます。", "承知しました。"), ("受付の当番、本日は{name}さんと交代しています。", "")],
        "file": ["備品在庫一覧_{yyyymmdd}.xlsx", "避難経路図_3F.pdf", "会議室レイアウト.png", "防災訓練_実施要領.docx"],
        "notice": [
            ("防災訓練のお知らせ", "{date} {time}から全館で防災訓練を行います。\n放送が流れたら、各フロアの避難経路を通って1階ロビーに集合してください。"),
            ("ビル設備点検に伴う停電のお知らせ", "{weekend} 9:00{wave}17:00 はビル全体が停電します。\nPCの電源は前日中に落としてください。"),
            ("健康診断の受診について", "今年度の健康診断は{date}{wave}{date2}の期間です。\n受診日は各自で予約し、総務部まで報告してください。"),
            ("夏季休暇の申請について", "夏季休暇は7月{n}日までに申請してください。\n① 連続3日まで取得できます\n② 部署内で日程が重ならないよう調整してください"),
            ("郵便物の仕分け時間の変更", "{next_month}月から、郵便物の仕分けは10時と15時の2回になります。"),
        ],
    },
    "hr": {
        "meeting": ["一次面接", "最終面接の事前打ち合わせ", "新人研修の打ち合わせ", "評価制度の見直し会議", "入社手続きの確認"],
        "report_head": ["{month}月の採用状況です。", "新人研修の準備状況を共有します。", "勤怠の集計結果です。"],
        "point": [
            "応募者は{n}名、書類選考の通過は{n2}名です", "内定承諾の連絡が1件ありました", "研修会場は{place}で確定しました",
            "4月入社の2名の入社書類がそろいました", "残業時間が月45時間を超えた人が{n2}名います", "有給休暇の取得率は{pct}%です",
            "研修講師の手配が完了しました",
        ],
        "report_tail": ["詳細は共有フォルダの集計表をご覧ください。", ""],
        "report_comment": [
            "ありがとう。残業が多い部署には個別にヒアリングしましょう。", "了解です。面接官の割り当ては私から依頼します。",
            "ありがとうございます、順調ですね (y)",
        ],
        "doc": ["研修カリキュラム", "採用計画", "面接評価シート", "入社案内", "勤怠集計表"],
        "approval_fix": ["研修の日程が1日ずれているところがあります。", "面接官の欄が空欄のままです。"],
        "qa": [
            ("{month}月分の勤怠の締めはいつまででしたっけ？", "翌月3営業日目までです！"),
            ("面接官の割り当て、{date}分はどうなっていますか？", "{name}さんと私で対応予定です。"),
            ("新入社員のPC手配、開発部に依頼済みですか？", "先週依頼済みです。{date}に届く予定です。"),
            ("研修アンケートの回収状況はどうですか？", "{n}名中{n2}名分を回収しました。"),
        ],
        "task": ["面接日程の連絡", "研修資料の印刷", "社会保険の手続き", "評価シートの回収", "入社書類のチェック"],
        "file": ["研修カリキュラム_{year}.pdf", "面接評価シート_{yyyymmdd}.xlsx", "勤怠集計_{month}月.xlsx", "入社案内_{year}.pdf"],
        "notice": [
            ("評価面談の実施について", "{date}{wave}{date2}の期間で上期の評価面談を行います。\n各部署で日程を調整し、人事部まで報告してください。"),
            ("ストレスチェックのお願い", "今年度のストレスチェックを実施します。回答期限は{date}です。\n回答内容は本人の同意なく会社に提供されません。"),
        ],
    },
    "dev": {
        "meeting": ["設計レビュー", "スプリント計画", "振り返り", "障害の振り返り", "コードレビュー会", "v{ver}のリリース判定"],
        "report_head": ["ﾃｽﾄ環境の状況です。", "本日の障害対応の報告です。", "リリース準備の進捗です。", "ｻｰﾊﾞｰ監視のアラートについて共有します。"],
        "point": [
            "ﾃｽﾄ環境へのデプロイが完了しました", "ｻｰﾊﾞｰのディスク使用率が{pct}%を超えています",
            "ログイン画面の不具合は、セッションの有効期限の設定ミスが原因でした", "v{ver}のリリースノートを作成しました",
            "自動ﾃｽﾄが{n}件失敗しています（既知の不具合）", "バックアップからの復元手順を確認しました",
            "レスポンスが{n}秒ほど遅くなる時間帯があります", "依存ライブラリの更新で警告が{n}件出ています",
        ],
        "report_tail": ["引き続き監視します。", "修正は{date}のリリースに含めます。", "詳細は障害報告書にまとめます。", ""],
        "report_comment": [
            "ありがとう。ディスクは週末までに古いログを整理しましょう。", "了解です。本番反映は{date}で進めてください。",
            "助かります！原因の切り分け、早かったですね (clap)",
        ],
        "doc": ["設計書", "テスト報告書", "リリースノート", "障害報告書", "仕様書"],
        "approval_fix": ["ﾃｽﾄ項目の{n}番、期待結果が空欄です。", "障害の発生時刻が報告書とログで1時間ずれているので確認をお願いします。"],
        "qa": [
            ("ﾃｽﾄ環境のDB、今使っている人いますか？", "使っていないです、どうぞ！"),
            ("CIが落ちているみたいです。どなたか設定を触りました？", "すみません、私のプルリクです (sweat) すぐ直します。"),
            ("ｻｰﾊﾞｰの再起動、今日の夜にやっても大丈夫ですか？", "22時以降ならOKです。念のため{name}さんにも共有をお願いします。"),
            ("VPNにつながらないのですが、同じ症状の人いますか？", "さっき一瞬切れていました。今は復旧しているようです。"),
            ("レビューをお願いしていたプルリク、見ていただけましたか？", "コメントを{n}件つけました！大きな問題はないです。"),
            ("本番のログはどこから見られましたっけ？", "ログ集約ｻｰﾊﾞｰの管理画面からです。権限がなければ{name}さんに申請してください。"),
        ],
        "task": ["ログイン不具合の修正", "v{ver}のリリースノート作成", "ｻｰﾊﾞｰ証明書の更新", "依存ライブラリの更新", "ﾃｽﾄ環境のデータ入れ替え"],
        "file": ["障害報告_{yyyymmdd}.docx", "画面キャプチャ_{n}.png", "ｻｰﾊﾞｰ構成図.png", "テスト結果_v{ver}.xlsx", "設計書_ログイン改修.pdf"],
        "notice": [
            ("ｻｰﾊﾞｰメンテナンスのお知らせ", "{weekend} 22:00{wave}翌2:00 に社内ｻｰﾊﾞｰのメンテナンスを行います。\nこの間、ファイルサーバーと勤怠システムは利用できません。"),
        ],
    },
    "acct": {
        "meeting": ["月次決算の打ち合わせ", "経費精算ルールの見直し", "監査法人との事前打ち合わせ", "予算の確認"],
        "report_head": ["{month}月の月次の状況です。", "入金の確認状況を共有します。", "経費精算の進捗です。"],
        "point": [
            "{month}月分の仕訳入力が完了しました", "{client}様からの入金{amount}を確認しました", "未精算の経費が{n}件残っています",
            "支払予定表を更新しました", "源泉徴収票の再発行依頼が{n2}件あります", "郵送分の請求書は{date}に発送します",
        ],
        "report_tail": ["ご確認ください。", "残りは明日対応します。", ""],
        "report_comment": ["ありがとう。未精算の分は各部署にリマインドしましょう。", "確認しました (y)", "お疲れさまです、助かります。"],
        "doc": ["経費精算書", "支払依頼書", "月次報告書", "仮払申請書", "請求書"],
        "approval_fix": ["勘定科目が「消耗品費」になっていますが、「会議費」だと思います。", "領収書の日付と申請日がずれています。"],
        "qa": [
            ("{client}様宛の請求書、今月分の発行をお願いできますか？金額は{amount}（税込）です。", "承知しました。明日発行して郵送します。"),
            ("交通費の精算で、領収書がない分はどうすればいいですか？", "経路と金額を備考欄に書いていただければ大丈夫です。"),
            ("{month}月の仮払金、精算がまだの方が{n}名います。", "各部署に個別に声をかけます。"),
            ("振込手数料って先方負担でしたっけ？", "{client}様は当社負担の契約です。"),
        ],
        "task": ["{month}月分の経費精算チェック", "{client}様への請求書発行", "支払予定表の更新", "固定資産台帳の更新"],
        "file": ["経費精算_{month}月.xlsx", "請求書_{client}.pdf", "月次報告_{year}{month2}.xlsx", "支払予定表.xlsx"],
        "notice": [("経費精算の締切について", "{month}月分の経費精算は{date}締切です。\n領収書の原本は経理部のトレーに提出してください。")],
    },
    "project": {
        "meeting": ["デザインレビュー", "試作品の評価会", "量産スケジュールの確認", "展示会出展の打ち合わせ", "価格設定の会議"],
        "report_head": ["試作品の評価結果です。", "デザイン案の進捗を共有します。", "工場との打ち合わせ内容です。", "展示会の準備状況です。"],
        "point": [
            "デザイン案を3パターン作成しました", "耐久ﾃｽﾄは{n}万回までクリアしました", "騒音は{n}dBで目標値以内です",
            "パッケージ案は{date}に確定予定です", "量産開始は{next_month}月下旬の見込みです", "展示会のブースは{n}小間で確定しました",
            "部品の調達に{n}週間かかる見込みです", "目標価格は{amount}（税抜）で調整中です",
        ],
        "report_tail": ["次回の評価会で詳しく説明します。", "ご意見をいただけると助かります。", ""],
        "report_comment": ["いいですね！量産の判断は次回の評価会でしましょう。", "ありがとうございます。価格は営業側の意見も聞きたいです。", "順調ですね (clap)"],
        "doc": ["企画書", "デザイン案", "量産計画", "展示会の出展申込書", "価格設定の稟議"],
        "approval_fix": ["量産開始日が工場の回答と違っています。", "原価の内訳に梱包費が入っていないようです。"],
        "qa": [
            ("試作2号機は今どこにありますか？", "開発部の棚にあります。持ち出すときは台帳に記入をお願いします。"),
            ("展示会のパンフレット、何部刷りますか？", "{n}00部でどうでしょう。前回は足りなかったので。"),
            ("工場の見学、{date}で調整できそうですか？", "先方OKです。{time}に現地集合でお願いします。"),
        ],
        "task": ["パッケージ案の最終確認", "展示会パンフレットの入稿", "試作3号機の評価", "部品の見積の取得"],
        "file": ["デザイン案_{n}.png", "試作評価_{yyyymmdd}.xlsx", "企画書_そよかぜ_v{n}.pptx", "展示会ブース案.jpg"],
    },
    "casual": {},
    "partner": {
        "opener": ["いつもお世話になっております。", "お世話になっております。"],
        "report_head": ["本日の出荷状況です。", "配送ルート変更のご連絡です。", "倉庫の作業状況についてご報告します。"],
        "point": [
            "{date}納品分、{n}ケース出荷済みです", "{client}様向けは{date2}着の予定です", "倉庫の棚卸しのため{date2}は出荷停止となります",
            "繁忙期のため、来月は前日15時までのご依頼をお願いします", "破損が1件あり、代替品を手配済みです",
        ],
        "report_tail": ["よろしくお願いいたします。", "ご不明点があればご連絡ください。"],
        "report_comment": ["ご連絡ありがとうございます。承知しました。", "ありがとうございます。出荷停止の日は社内にも周知します。"],
        "qa": [
            ("{date}着で{product}を{n}台お願いできますか？", "{date}着で手配いたしました。伝票番号は追ってご連絡します。"),
            ("{client}様向けの配送、時間指定は可能でしょうか？", "午前指定であれば対応可能です。"),
            ("先月分の運賃の請求書、受領しました。お支払いは月末になります。", "ご確認ありがとうございます。よろしくお願いいたします。"),
            ("返品の集荷を{date}にお願いできますか？", "承知しました。{time}ごろに伺います。"),
        ],
        "doc": ["出荷依頼書", "配送スケジュール表"],
        "file": ["出荷予定表_{yyyymmdd}.xlsx", "配送ルート変更のご案内.pdf"],
        "thing": ["{date}着の{product}", "返品の集荷", "運賃の見積"],
        "status": ["手配済みです。伝票番号は明朝お送りします。", "倉庫で確認中です。本日中にご連絡します。"],
    },
    "it": {
        "report_head": ["システム移行の進捗です。", "今週の作業報告です。"],
        "point": [
            "メールアカウントの移行が{n}件完了しました", "旧ファイルサーバーは{date}に停止予定です",
            "ウイルス対策ソフトの更新を全台に配布しました", "パスワード変更のお願いを全社に送付済みです",
        ],
        "report_comment": ["ありがとうございます。停止日は全社にも案内します。", "了解です (y)"],
        "qa": [
            ("新しいメールサーバーへの切り替え、{date}で確定ですか？", "はい、{date}の夜に切り替えます。"),
            ("プリンタのドライバはどこからインストールできますか？", "共有フォルダの「情報システム/ドライバ」にあります。"),
            ("社内Wi-Fiのパスワードが変わると聞きました。", "{next_month}月1日から新しいパスワードです。総務部で配布します。"),
            ("PCの入れ替え、対象は何台ですか？", "今回は{n}台です。"),
        ],
        "doc": ["移行計画書", "PC入れ替え計画", "アカウント一覧"],
        "task": ["旧サーバーのデータ退避", "新メールの設定手順書の作成", "PC入れ替えの日程調整"],
        "file": ["移行計画書_v{n}.xlsx", "設定手順書.pdf"],
        "notice": [("PC入れ替えのお知らせ", "{date}{wave}{date2}に対象PCを順次入れ替えます。\nデータは事前に共有フォルダへ退避してください。")],
    },
    "liaison": {
        "qa": [
            ("{client}様から、{product}の管理画面にログインできないと問い合わせがありました。", "確認します。エラーメッセージの画面キャプチャをもらえますか？"),
            ("{product}の次のバージョンはいつ出ますか？お客様に聞かれています。", "{next_month}月中の予定です。確定したらお知らせします。"),
            ("{client}様向けのデモ環境、{date}まで延長できますか？", "延長しておきます。"),
        ],
        "report_head": ["お客様からの要望をまとめました。"],
        "point": ["CSVの出力項目を増やしてほしい", "画面の文字を大きくしてほしい", "スマホから承認したい", "ログイン時間が長い気がする"],
        "report_comment": ["ありがとうございます。次のスプリント計画で検討します。"],
        "doc": ["要望一覧", "不具合報告"],
        "file": ["要望一覧_{yyyymmdd}.xlsx", "エラー画面_{n}.png"],
        "thing": ["{client}様の問い合わせ", "デモ環境の延長"],
        "status": ["原因がわかりました。{date}に修正版を出します。", "調査中です。"],
    },
}

# The all-hands room reuses the notices of the administrative departments.
THEME_VOCABULARY["allhands"] = {
    "notice": (
        THEME_VOCABULARY["soumu"]["notice"]
        + THEME_VOCABULARY["hr"]["notice"]
        + THEME_VOCABULARY["acct"]["notice"]
        + [
            ("{month}月の全体朝礼", "{date} 9:00{wave}9:20 に本社 大会議室で全体朝礼を行います。\nオンラインでも参加できます。"),
            ("社内報の原稿募集", "社内報の「わたしの休日」コーナーの原稿を募集しています。\n写真1枚と200字程度の文章を{date}までにお送りください📷"),
        ]
    ),
    "qa": [
        ("健康診断の予約サイトにログインできません。", "IDは社員番号、初期パスワードは生年月日8桁です。それでもだめなら総務までご連絡ください。"),
        ("全体朝礼の資料はどこで見られますか？", "共有フォルダの「全社/朝礼」に置いてあります。"),
    ],
}


# ---------------------------------------------------------------------------
# Conversation engine
# ---------------------------------------------------------------------------

SLOT_PATTERN = re.compile(r"\{(\w+)\}")
TIME_SLOTS = ["9:30", "10:00", "10:30", "11:00", "13:00", "13:30", "14:00", "15:00", "15:30", "16:00", "16:30", "17:00"]


class ThreadWriter:
    """Write one short conversation into a room, starting at a given moment.

    The cast is a random order of the members who can post: a opens the
    conversation, b replies and c (when the room has one) may join in.
    A line is dropped, and so are all later lines, once the conversation
    would run past the end of its time window or its speaker can no longer post.
    """

    def __init__(self, sample: Sample, room: Room, start: datetime, window_end: datetime):
        self.sample = sample
        self.rng = sample.rng
        self.room = room
        self.now = start
        self.window_end = window_end
        cast = room.posters_at(start)
        self.rng.shuffle(cast)
        self.cast = cast
        self.bound: dict[str, str] = {}
        self.messages: list[Message] = []
        self.closed = False

    @property
    def a(self) -> Person:
        return self.cast[0]

    @property
    def b(self) -> Person:
        return self.cast[1]

    @property
    def c(self) -> Person | None:
        return self.cast[2] if len(self.cast) > 2 else None

    @property
    def is_group(self) -> bool:
        return self.room.kind == "group"

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options: list):
        return self.rng.choice(options)

    def options(self, slot: str) -> list:
        theme = THEME_VOCABULARY[self.room.theme].get(slot, [])
        common = COMMON_VOCABULARY.get(slot, [])
        if not theme and not common:
            raise KeyError(f"template slot {{{slot}}} has no vocabulary in theme {self.room.theme!r} or COMMON_VOCABULARY")
        return theme + common

    def fill(self, template: str) -> str:
        return SLOT_PATTERN.sub(lambda match: self.slot(match.group(1)), template)

    def slot(self, name: str) -> str:
        if name in self.bound:
            return self.bound[name]
        value = self.compute_slot(name)
        if name not in FREE_SLOTS:
            self.bound[name] = value
        return value

    def compute_slot(self, name: str) -> str:
        today = self.now.date()

        if name == "date":
            return format_day(add_business_days(today, self.rng.randint(1, 5)))
        if name == "date2":
            return format_day(add_business_days(today, self.rng.randint(6, 12)))
        if name == "weekend":
            return format_day(today + timedelta(days=(5 - today.weekday()) % 7 or 7))

        if name == "time":
            return self.pick(TIME_SLOTS)
        if name == "time_end":
            start = datetime.strptime(self.slot("time"), "%H:%M")
            return (start + timedelta(hours=1)).strftime("%H:%M").lstrip("0")
        if name == "wave":
            # People type either WAVE DASH (U+301C) or FULLWIDTH TILDE (U+FF5E).
            return self.pick(["〜", "～"])

        if name == "n":
            return str(self.rng.randint(2, 30))
        if name == "n2":
            return str(self.rng.randint(1, int(self.slot("n"))))
        if name == "pct":
            return str(self.rng.randint(60, 97))
        if name == "amount":
            return f"{self.rng.randint(12, 980) * 10000:,}円"
        if name == "ver":
            return f"2.{self.rng.randint(3, 9)}.{self.rng.randint(0, 12)}"

        if name == "year":
            return str(today.year)
        if name == "month":
            return str(today.month)
        if name == "month2":
            return f"{today.month:02d}"
        if name == "next_month":
            return str(today.month % 12 + 1)
        if name == "yyyymmdd":
            return today.strftime("%Y%m%d")

        if name == "name":
            return self.colleague().family_name
        return self.fill(self.pick(self.options(name)))

    def colleague(self) -> Person:
        """Pick a room member outside the first two speakers, for text such as '{name}さんに確認'."""
        others = [m.person for m in self.room.memberships if m.person not in self.cast[:2]]
        if not others:
            others = list(self.sample.people.values())
        return self.pick([person for person in others if person.organization == ORG_NAME] or others)

    def to(self, *people: Person) -> str:
        """Return mention tags for people, which direct chats mostly leave out."""
        if not self.is_group and not self.chance(0.15):
            return ""
        return "".join(person.mention() for person in people) + "\n"

    def maybe_reply(self, message: Message | None) -> Message | None:
        if message is None:
            return None
        return message if self.chance(0.35 if self.is_group else 0.1) else None

    def business_day_after(self, low: int, high: int) -> date:
        return add_business_days(self.now.date(), self.rng.randint(low, high))

    def say(self, who: Person, text: str, reply_to: Message | None = None, gap: tuple[int, int] = (1, 25),
            at: datetime | None = None) -> Message | None:
        """Send text as who, gap minutes after the previous line or at a given later moment."""
        if self.closed:
            return None
        if at is not None:
            self.now = max(self.now, at)
        elif self.messages:
            self.now += timedelta(minutes=self.rng.randint(*gap), seconds=self.rng.randint(0, 59))
        if self.now > self.window_end or not (self.room.membership_of(who) and who in self.room.posters_at(self.now)):
            self.closed = True
            return None
        message = self.sample.add_message(self.room, who, self.now, text, reply_to=reply_to)
        self.messages.append(message)
        return message

    def upload(self, who: Person, comment: str, filename: str | None = None) -> Message | None:
        shared = self.sample.new_file(filename or self.fill("{file}"))
        body = upload_block(shared)
        message = self.say(who, f"{comment}\n{body}" if comment else body)
        if message is not None:
            self.sample.attach_file(message, shared)
        return message


# ---------------------------------------------------------------------------
# Conversation topics
# ---------------------------------------------------------------------------

MEETING_ASKS = [
    "{opener}{date} {time}{wave}{time_end}で{meeting}のお時間をいただけますか？\n場所は{place}です。",
    "{meeting}の件、{date}の{time}からでいかがでしょうか。{place}を押さえてあります。",
    "{opener}来週どこかで{meeting}をお願いしたいです。{date}か{date2}の午後で空いている時間はありますか？",
    "{meeting}、{date} {time}開始で調整させてください。1時間ほどの見込みです。",
]
MEETING_ACCEPTS = [
    "{ack}{date} {time}で大丈夫です。", "承知しました。カレンダーに登録しておきます {emo}", "はい、参加します！",
    "{date}で問題ありません。資料は前日までに目を通しておきます。",
]
MEETING_DECLINES = [
    "すみません、その時間は{conflict}が入っていまして… {date2}でしたら終日空いています。",
    "申し訳ありません、{date}は{conflict}のため難しいです (sweat) {date2}はいかがでしょうか？",
]
MEETING_RESCHEDULES = ["では{date2} {time}からでお願いします！場所は同じく{place}です。", "{date2}で承知しました。会議室を取り直しておきます。"]
MEETING_JOINS = ["私も同席してよいでしょうか？内容を確認しておきたいので。", "差し支えなければ私も参加させてください。"]

APPROVAL_REQUESTS = [
    "{doc}を作成しました。ご確認のうえ、承認をお願いいたします {emo}",
    "{opener}{doc}の承認をお願いします。{closer}",
    "{doc}、修正版です。前回いただいたご指摘は反映済みです。",
]
APPROVAL_ACCEPTS = ["確認しました。問題ないので承認します。", "承認しました (y)", "内容OKです。このまま進めてください。", "ありがとうございます。承認済みです！"]
APPROVAL_FIXES_DONE = ["修正しました。再度ご確認をお願いします。", "ご指摘ありがとうございます、直しました！", "失礼しました。修正版に差し替えています。"]

TASK_REQUESTS = ["{opener}タスクを追加しました。期限は{deadline}です。", "お手数ですが、こちらお願いできますか？ {emo}", "こちら、{deadline}までにお願いします。"]
FILE_COMMENTS = ["{doc}をアップしました。{closer}", "{opener}共有します。", "最新版です。", "", "{doc}です。ご確認ください！"]
FILE_REPLIES = ["ありがとうございます、確認します！", "{ack}", "拝見しました。問題なさそうです (y)", "ありがとうございます。後ほど目を通します。"]
FOLLOWUP_ASKS = ["{opener}{thing}の件、その後いかがでしょうか？", "{thing}って、どうなりましたっけ？", "念のための確認ですが、{thing}は進んでいますか？"]
THANKS_LINES = ["{thing_done}、ありがとうございました！とても助かりました {emo}", "昨日は{thing_done}ありがとうございました (bow)", "{thing_done}、本当に助かりました！"]
THANKS_REPLIES = ["いえいえ、またいつでも言ってください！", "お役に立ててよかったです :)", "とんでもないです！"]


def topic_meeting(w: ThreadWriter) -> None:
    ask = w.say(w.a, w.to(w.b) + w.fill(w.pick(MEETING_ASKS)))
    if w.chance(0.7):
        w.say(w.b, w.fill(w.pick(MEETING_ACCEPTS)), reply_to=w.maybe_reply(ask))
    else:
        w.say(w.b, w.fill(w.pick(MEETING_DECLINES)), reply_to=w.maybe_reply(ask))
        w.say(w.a, w.fill(w.pick(MEETING_RESCHEDULES)))
        w.say(w.b, w.fill("{ack}"))
    if w.c is not None and w.chance(0.25):
        w.say(w.c, w.fill(w.pick(MEETING_JOINS)))
        w.say(w.a, w.fill("{join_welcome}"))


def topic_report(w: ThreadWriter) -> None:
    options = w.options("point")
    points = [w.fill(point) for point in w.rng.sample(options, min(len(options), w.rng.randint(2, 3)))]
    style = w.pick(["・", "- ", "circled"])
    if style == "circled":
        lines = [f"{'①②③'[index]} {point}" for index, point in enumerate(points)]
    else:
        lines = [style + point for point in points]
    text = w.fill("{opener}{report_head}") + "\n" + "\n".join(lines)
    tail = w.fill("{report_tail}") if "report_tail" in THEME_VOCABULARY[w.room.theme] else ""
    if tail:
        text += "\n" + tail
    report = w.say(w.a, text)
    w.say(w.b, w.fill("{report_comment}"), reply_to=w.maybe_reply(report), gap=(5, 90))
    if w.chance(0.4):
        w.say(w.a, w.fill("{ack}"))


def topic_approval(w: ThreadWriter) -> None:
    request_text = w.fill(w.pick(APPROVAL_REQUESTS))
    if w.chance(0.5):
        request = w.upload(w.a, w.to(w.b) + request_text)
    else:
        request = w.say(w.a, w.to(w.b) + request_text)
    if w.chance(0.65):
        w.say(w.b, w.fill(w.pick(APPROVAL_ACCEPTS)), reply_to=w.maybe_reply(request), gap=(10, 180))
        return
    w.say(w.b, w.fill("{approval_fix}"), reply_to=w.maybe_reply(request), gap=(10, 180))
    w.say(w.a, w.fill(w.pick(APPROVAL_FIXES_DONE)), gap=(10, 60))
    w.say(w.b, w.fill(w.pick(APPROVAL_ACCEPTS)), gap=(5, 60))


def topic_question(w: ThreadWriter) -> None:
    question, answer = w.pick(w.options("qa"))
    mention = w.to(w.b) if w.chance(0.5) else ""
    ask = w.say(w.a, mention + w.fill(question))
    w.say(w.b, w.fill(answer), reply_to=w.maybe_reply(ask))
    if w.chance(0.5):
        w.say(w.a, w.fill("{thanks_short}"), gap=(1, 10))


def topic_greeting(w: ThreadWriter) -> None:
    text, reply = w.pick(w.options("greeting"))
    greeting = w.say(w.a, w.fill(text))
    if reply and w.chance(0.7):
        w.say(w.b, w.fill(reply), reply_to=w.maybe_reply(greeting), gap=(1, 15))


def topic_task(w: ThreadWriter) -> None:
    deadline = w.business_day_after(2, 8)
    w.bound["deadline"] = format_day(deadline)
    task_text = w.fill("{task}")
    if w.chance(0.6):
        w.say(w.a, w.to(w.b) + w.fill(w.pick(TASK_REQUESTS)))
    w.say(w.a, task_block(w.b, task_text, deadline), gap=(0, 2))
    w.say(w.b, w.fill("{ack}"), gap=(1, 40))
    finished = random_work_time(w.rng, w.business_day_after(0, 4))
    w.say(w.b, task_block(w.b, task_text, deadline, done=True), at=finished)


def topic_file(w: ThreadWriter) -> None:
    shared = w.upload(w.a, w.fill(w.pick(FILE_COMMENTS)))
    if w.chance(0.8):
        w.say(w.b, w.fill(w.pick(FILE_REPLIES)), reply_to=w.maybe_reply(shared), gap=(2, 60))


def topic_followup(w: ThreadWriter) -> None:
    ask = w.say(w.a, w.to(w.b) + w.fill(w.pick(FOLLOWUP_ASKS)))
    w.say(w.b, w.fill("{status}"), reply_to=w.maybe_reply(ask), gap=(2, 90))
    if w.chance(0.5):
        w.say(w.a, w.fill("{ack}"))


def topic_thanks(w: ThreadWriter) -> None:
    thanks = w.say(w.a, w.to(w.b) + w.fill(w.pick(THANKS_LINES)))
    w.say(w.b, w.pick(THANKS_REPLIES), reply_to=w.maybe_reply(thanks))


def topic_casual(w: ThreadWriter) -> None:
    text, reply_kind = w.pick(w.options("chat"))
    w.say(w.a, w.fill(text))
    replies = w.options(f"chat_reply_{reply_kind}")
    for responder in w.cast[1 : 1 + w.rng.randint(0, 3)]:
        w.say(responder, w.pick(replies), gap=(1, 15))


def topic_notice(w: ThreadWriter) -> None:
    """Post a boxed announcement from an admin, with [toall] and a rule line, then a few acknowledgements."""
    admins = w.room.admins_at(w.now)
    author = w.pick(admins) if admins else w.a
    title, body = w.pick(w.options("notice"))
    text = "[toall]\n" if w.is_group and w.chance(0.7) else ""
    text += f"[info][title]{w.fill(title)}[/title]{w.fill(body)}"
    if w.chance(0.6):
        text += f"[hr]ご不明点は{author.department}の{author.family_name}までお願いします。"
    text += "[/info]"
    notice = w.say(author, text)
    responders = [person for person in w.cast if person is not author]
    for responder in responders[: w.rng.randint(0, 3)]:
        w.say(responder, w.fill("{ack}"), reply_to=w.maybe_reply(notice), gap=(1, 30))


# Relative weights of the topics in each theme. Direct chats skip topic_notice.
THEME_TOPICS = {
    "allhands": {topic_notice: 8, topic_question: 1},
    "sales": {topic_meeting: 3, topic_report: 4, topic_approval: 2, topic_question: 3, topic_greeting: 2, topic_task: 1.5,
              topic_file: 2, topic_followup: 2, topic_thanks: 1, topic_casual: 0.7, topic_notice: 0.4},
    "soumu": {topic_meeting: 1.5, topic_report: 2, topic_approval: 1.5, topic_question: 4, topic_greeting: 2, topic_task: 1.5,
              topic_file: 1.5, topic_followup: 1, topic_thanks: 1, topic_casual: 1, topic_notice: 1.5},
    "hr": {topic_meeting: 3, topic_report: 2.5, topic_approval: 1.5, topic_question: 3, topic_greeting: 1.5, topic_task: 2,
           topic_file: 1.5, topic_followup: 1.5, topic_thanks: 1, topic_casual: 0.5, topic_notice: 1},
    "dev": {topic_meeting: 2, topic_report: 4, topic_approval: 1.5, topic_question: 4, topic_greeting: 2, topic_task: 2,
            topic_file: 2, topic_followup: 1.5, topic_thanks: 1, topic_casual: 0.7, topic_notice: 0.5},
    "acct": {topic_meeting: 1, topic_report: 3, topic_approval: 2.5, topic_question: 4, topic_greeting: 1.5, topic_task: 2,
             topic_file: 2, topic_followup: 1.5, topic_thanks: 1, topic_casual: 0.5, topic_notice: 1},
    "project": {topic_meeting: 3, topic_report: 4, topic_approval: 1.5, topic_question: 2.5, topic_task: 2, topic_file: 3,
                topic_followup: 2, topic_thanks: 1, topic_casual: 0.5},
    "casual": {topic_casual: 10, topic_thanks: 1, topic_greeting: 0.5},
    "partner": {topic_report: 3, topic_question: 4, topic_followup: 2, topic_thanks: 1, topic_file: 1, topic_meeting: 1},
    "it": {topic_question: 4, topic_report: 2, topic_task: 2, topic_notice: 1, topic_meeting: 1, topic_file: 1, topic_followup: 1},
    "liaison": {topic_question: 4, topic_report: 2, topic_meeting: 2, topic_followup: 2, topic_file: 1},
}


# ---------------------------------------------------------------------------
# Sample container
# ---------------------------------------------------------------------------

BUCKET_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class Sample:
    """All people, rooms, messages and files of one run, drawn from one seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.people: dict[str, Person] = {}
        self.rooms: dict[str, Room] = {}
        self.keyed_messages: dict[str, Message] = {}
        self.keyed_files: dict[str, SharedFile] = {}
        self.next_seq = 0
        self.used_numbers: set[int] = set()

    def unique_number(self, low: int, high: int) -> int:
        while True:
            number = self.rng.randint(low, high)
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def add_person(self, key: str, name: str, department: str, title: str = "", organization: str = ORG_NAME) -> Person:
        person = Person(key, self.unique_number(1_000_000, 9_999_999), name, department, title, organization)
        self.people[key] = person
        return person

    def add_room(self, key: str, name: str, kind: str, theme: str, start: str, members: list[tuple[str, str]],
                 bucket: str | None = None, dataset: str = "export") -> Room:
        """Create a room whose members all join at start."""
        bucket = bucket or "".join(self.rng.choice(BUCKET_ALPHABET) for _ in range(2))
        room = Room(key, self.unique_number(100_000_000, 999_999_999), name, kind, theme, bucket, jst(start), dataset)
        for person_key, role in members:
            room.memberships.append(Membership(self.people[person_key], role, room.start))
        self.rooms[key] = room
        return room

    def add_message(self, room: Room, sender: Person, when: datetime, text: str, reply_to: Message | None = None,
                    system: bool = False, scripted: bool = False) -> Message:
        message = Message(room, sender, [(when, text)], self.next_seq, reply_to=reply_to, system=system, scripted=scripted)
        self.next_seq += 1
        room.messages.append(message)
        return message

    def new_file(self, filename: str) -> SharedFile:
        if filename.lower().endswith((".png", ".jpg")):
            size = self.rng.randint(60_000, 2_400_000)
        elif filename.lower().endswith(".pptx"):
            size = self.rng.randint(400_000, 4_800_000)
        else:
            size = self.rng.randint(18_000, 900_000)
        return SharedFile(self.unique_number(100_000_000, 2_999_999_999), filename, size)

    def attach_file(self, message: Message, shared: SharedFile) -> None:
        shared.message = message
        message.files.append(shared)
        message.room.files.append(shared)

    # Helpers for scripted events, which name people and rooms by key.

    def post(self, room_key: str, when: str, sender_key: str, text: str, key: str | None = None,
             reply_to: str | None = None, system: bool = False) -> Message:
        room = self.rooms[room_key]
        sender = self.people[sender_key]
        moment = jst(when)
        if sender not in room.posters_at(moment):
            raise ValueError(f"{sender.name} cannot post in room {room_key} at {when}: not an active, posting member")
        reply_target = self.keyed_messages[reply_to] if reply_to else None
        message = self.add_message(room, sender, moment, text, reply_to=reply_target, system=system, scripted=True)
        if key:
            self.keyed_messages[key] = message
        return message

    def post_upload(self, room_key: str, when: str, sender_key: str, comment: str, filename: str,
                    file_key: str | None = None) -> Message:
        shared = self.new_file(filename)
        body = upload_block(shared)
        message = self.post(room_key, when, sender_key, f"{comment}\n{body}" if comment else body)
        self.attach_file(message, shared)
        if file_key:
            self.keyed_files[file_key] = shared
        return message

    def mention(self, *keys: str) -> str:
        return "".join(self.people[key].mention() for key in keys) + "\n"

    def add_member(self, room_key: str, when: str, by_key: str, member_keys: list[str], role: str = "member") -> None:
        room = self.rooms[room_key]
        moment = jst(when)
        icons = ""
        for key in member_keys:
            room.memberships.append(Membership(self.people[key], role, moment))
            icons += f"[piconname:{self.people[key].account_id}]"
        self.post(room_key, when, by_key, f"[dtext:chatroom_member_is]{icons}[dtext:chatroom_added]", system=True)

    def remove_member(self, room_key: str, when: str, by_key: str, member_key: str) -> None:
        """Record a member who left (by_key is the member) or was removed by an admin."""
        room = self.rooms[room_key]
        person = self.people[member_key]
        membership = room.membership_of(person)
        event = "chatroom_leaved" if by_key == member_key else "chatroom_deleted"
        self.post(room_key, when, by_key, f"[dtext:chatroom_member_is][piconname:{person.account_id}][dtext:{event}]", system=True)
        membership.left = jst(when)

    def rename_room(self, room_key: str, when: str, by_key: str, new_name: str) -> None:
        self.post(room_key, when, by_key, f"[dtext:chatroom_chatname_is]{new_name}[dtext:chatroom_set]", system=True)
        self.rooms[room_key].name = new_name

    def announce_creation(self, room: Room) -> None:
        """Post Chatwork's creation message, sent by the first admin and naming every initial member."""
        creator = room.memberships[0].person
        icons = "".join(f"[piconname:{m.person.account_id}]" for m in room.memberships[1:])
        text = (
            "[dtext:chatroom_groupchat_created]\n"
            f"[dtext:chatroom_chatname_is]{room.name}[dtext:chatroom_set]\n"
            f"[dtext:chatroom_member_is]{icons}[dtext:chatroom_added]"
        )
        self.add_message(room, creator, room.start, text, system=True, scripted=True)


def write_filler(sample: Sample, room: Room, first: str, last: str, count: int) -> None:
    """Write about count messages of random conversations on business days between first and last (inclusive)."""
    rng = sample.rng
    window_start = jst(first + " 00:00")
    window_end = jst(last + " 23:59")
    days = business_days(window_start.date(), window_end.date())
    topics = THEME_TOPICS[room.theme]
    if room.kind == "direct":
        topics = {topic: weight for topic, weight in topics.items() if topic is not topic_notice}
    written = 0
    attempts = 0
    while written < count:
        attempts += 1
        if attempts > count * 20:
            raise RuntimeError(f"room {room.key}: wrote only {written} of {count} filler messages; check its members and window")
        start = random_work_time(rng, rng.choice(days))
        if start <= room.start:
            continue
        topic = rng.choices(list(topics), weights=list(topics.values()))[0]
        writer = ThreadWriter(sample, room, start, window_end)
        if len(writer.cast) < 2:
            continue
        topic(writer)
        written += len(writer.messages)


# ---------------------------------------------------------------------------
# People and rooms
# ---------------------------------------------------------------------------

EMPLOYEES = [
    # key, name, department, title
    ("aoki", "青木 正", "経営企画室", "代表取締役"),
    ("nishimura", "西村 香織", "経営企画室", ""),
    ("yamazaki", "山﨑 健太", "営業部", "部長"),
    ("gondo", "権藤 剛", "営業部 第一営業課", "課長"),
    ("onodera", "小野寺 湊", "営業部 第一営業課", ""),
    ("murase", "村瀬 さくら", "営業部 第一営業課", ""),
    ("maeda", "前田 翔太", "営業部 第一営業課", ""),
    ("kimura", "木村 葵", "営業部 第一営業課", ""),
    ("nakamura", "中村 彩", "営業部 第二営業課", "課長"),
    ("yoshida", "吉田 拓海", "営業部 第二営業課", ""),
    ("matsumoto", "松本 優奈", "営業部 第二営業課", ""),
    ("inoue", "井上 大輝", "営業部 第二営業課", ""),
    ("sato", "佐藤 恵子", "総務部", "部長"),
    ("suzuki", "鈴木 一郎", "総務部", ""),
    ("shimizu", "清水 由紀", "総務部", ""),
    ("mori", "森 健二", "総務部", ""),
    ("okamoto", "岡本 拓也", "総務部", ""),
    ("tanaka", "田中 修", "人事部", "部長"),
    ("takahashi", "髙橋 真理子", "人事部", "課長"),
    ("kobayashi", "小林 美穂", "人事部", ""),
    ("kato", "加藤 陽介", "人事部", ""),
    ("ito", "伊藤 誠", "開発部", "部長"),
    ("watanabe", "渡辺 翼", "開発部", "リーダー"),
    ("yamamoto", "山本 花子", "開発部", ""),
    ("sugimoto", "杉本 亮", "開発部", ""),
    ("saito", "斎藤 蓮", "開発部", ""),
    ("hayashi", "林 真央", "開発部", ""),
    ("hasegawa", "長谷川 恵", "開発部", ""),
    ("okada", "岡田 悠人", "開発部", ""),
    ("ishii", "石井 明美", "経理部", "部長"),
    ("ota", "太田 由美", "経理部", ""),
    ("fujita", "藤田 浩", "経理部", ""),
    ("goto", "後藤 結衣", "経理部", ""),
    ("kondo", "近藤 美月", "経理部", ""),
    ("nomura", "野村 直樹", "法務・コンプライアンス室", "室長"),
]

# Employees who resigned during 2024. Each gets a different marker form because
# the importer must accept all of them.
RESIGNATIONS = [
    ("maeda", "(解約済)", "2024-02-29 18:00"),
    ("ota", "【解約済】", "2024-03-29 18:00"),
    ("sugimoto", "（解約済）", "2024-05-15 18:00"),
]

# Employees who join on 2024-04-01 and are added to their rooms then.
NEW_HIRES = ("kimura", "okada")


def build_people(sample: Sample) -> None:
    for key, name, department, title in EMPLOYEES:
        sample.add_person(key, name, department, title)
    for key, marker, when in RESIGNATIONS:
        sample.people[key].resigned_marker = marker
        sample.people[key].resigned_at = jst(when)
    sample.add_person("miura", "三浦 大輔", "営業部", organization=PARTNER_ORG_NAME)
    # A partner employee who leaves the shared room, so no members file lists her.
    sample.add_person("ishihara", "石原 美咲", "配車センター", organization=PARTNER_ORG_NAME)
    # A former employee whom the export shows only as the anonymous resigned name.
    # Mentions written while he worked here still carry his real name.
    # NOTE: Chatwork uses that name for accounts deleted before 2016-03-09, yet this
    # account posts in 2017. The sample covers the name form, not the date rule.
    former = sample.add_person("former", "大野 隆", "")
    former.resigned_at = jst("2017-12-28 18:00")
    former.anonymized = True


def employee_keys(*departments: str, exclude: tuple[str, ...] = ()) -> list[str]:
    return [
        key for key, _, department, _ in EMPLOYEES
        if any(department.startswith(prefix) for prefix in departments) and key not in exclude and key not in NEW_HIRES
    ]


def build_export_rooms(sample: Sample) -> None:
    """Create the rooms of the CSV export with their initial members, in output order."""
    all_staff = [key for key, *_ in EMPLOYEES if key not in NEW_HIRES]
    posting_staff = {"sato": "admin", "tanaka": "admin", "aoki": "admin", "suzuki": "member", "shimizu": "member",
                     "mori": "member", "okamoto": "member", "takahashi": "member", "kobayashi": "member",
                     "kato": "member", "nishimura": "member"}
    allhands_members = [("sato", "admin")] + [
        (key, posting_staff.get(key, "readonly")) for key in all_staff if key != "sato"
    ]
    sample.add_room("allhands", "全社連絡", "group", "allhands", "2024-01-09 08:45", allhands_members)

    sales = employee_keys("営業部", exclude=("yamazaki", "gondo", "nakamura"))
    sample.add_room("sales", "営業部", "group", "sales", "2024-01-09 09:05",
                    [("yamazaki", "admin"), ("gondo", "admin"), ("nakamura", "admin")] + [(k, "member") for k in sales])
    sample.add_room("soumu", "総務部", "group", "soumu", "2024-01-09 09:10",
                    [("sato", "admin")] + [(k, "member") for k in employee_keys("総務部", exclude=("sato",))]
                    + [("nishimura", "member")])
    sample.add_room("hr", "人事部", "group", "hr", "2024-01-09 09:12",
                    [("tanaka", "admin"), ("takahashi", "admin"), ("kobayashi", "member"), ("kato", "member")])
    dev = sample.add_room("dev", "開発部", "group", "dev", "2024-01-09 09:20",
                          [("ito", "admin"), ("watanabe", "admin")]
                          + [(k, "member") for k in employee_keys("開発部", exclude=("ito", "watanabe"))])
    sample.add_room("acct", "経理部", "group", "acct", "2024-01-09 09:25",
                    [("ishii", "admin")] + [(k, "member") for k in employee_keys("経理部", exclude=("ishii",))])
    sample.add_room("project", "新製品プロジェクト", "group", "project", "2024-01-10 10:00",
                    [("nishimura", "admin"), ("ito", "admin"), ("yamamoto", "member"), ("saito", "member"),
                     ("matsumoto", "member"), ("inoue", "member"), ("nakamura", "member"), ("mori", "member"),
                     ("goto", "member"), ("aoki", "readonly")])
    sample.add_room("casual", "雑談・ランチ部", "group", "casual", "2024-01-10 12:05",
                    [("shimizu", "admin")] + [(k, "member") for k in (
                        "murase", "onodera", "yoshida", "matsumoto", "hayashi", "yamamoto", "hasegawa", "kobayashi",
                        "goto", "kondo", "okamoto", "saito", "kato", "ota", "sugimoto", "maeda")])
    sample.add_room("partner", "見本物流様 配送連携", "group", "partner", "2024-02-01 10:00",
                    [("nakamura", "admin"), ("yoshida", "member"), ("inoue", "member"), ("fujita", "member"),
                     ("miura", "member"), ("ishihara", "member")])
    sample.add_room("legacy", "社内システム移行PJ", "group", "it", "2017-06-12 10:00",
                    [("ito", "admin"), ("suzuki", "member"), ("watanabe", "member"), ("sato", "member"),
                     ("former", "member")])
    sample.add_room("hr_case", "相談対応（人事・法務）", "group", "hr", "2024-03-14 15:10",
                    [("takahashi", "admin"), ("tanaka", "admin"), ("nomura", "member")])
    sample.add_room("dm_gondo_onodera", "権藤 剛 / 小野寺 湊", "direct", "sales", "2024-01-09 09:00",
                    [("gondo", "admin"), ("onodera", "admin")])
    sample.add_room("dm_murase_takahashi", "村瀬 さくら / 髙橋 真理子", "direct", "hr", "2024-01-09 09:00",
                    [("murase", "admin"), ("takahashi", "admin")])
    sample.add_room("dm_ota_yoshida", "太田 由美 / 吉田 拓海", "direct", "acct", "2024-01-09 09:00",
                    [("ota", "admin"), ("yoshida", "admin")])
    # Shares the development room's bucket, so an importer cannot map one bucket to one room.
    sample.add_room("dm_watanabe_hayashi", "渡辺 翼 / 林 真央", "direct", "dev", "2024-01-09 09:00",
                    [("watanabe", "admin"), ("hayashi", "admin")], bucket=dev.bucket)
    sample.add_room("dm_takahashi_onodera", "髙橋 真理子 / 小野寺 湊", "direct", "hr", "2024-01-09 09:00",
                    [("takahashi", "admin"), ("onodera", "admin")])

    for room in sample.rooms.values():
        if room.kind == "group":
            sample.announce_creation(room)


# ---------------------------------------------------------------------------
# Scripted events
# ---------------------------------------------------------------------------


def write_membership_events(s: Sample) -> None:
    """Write joins, leaves, removals and renames, which the export shows only as system messages."""
    s.rename_room("project", "2024-02-05 10:00", "nishimura", "新製品「そよかぜ」PJ")
    s.add_member("allhands", "2024-04-01 09:00", "sato", ["kimura", "okada"], role="readonly")
    kimura, okada = s.people["kimura"], s.people["okada"]
    s.post("allhands", "2024-04-01 09:05", "tanaka",
           "[toall]\n本日から新しい仲間が加わりました！\n"
           f"[piconname:{kimura.account_id}]（営業部 第一営業課）\n"
           f"[piconname:{okada.account_id}]（開発部）\nよろしくお願いします (cracker)")
    s.add_member("sales", "2024-04-01 09:30", "yamazaki", ["kimura"])
    s.post("sales", "2024-04-01 09:34", "kimura", "本日から配属になりました木村です。一日も早く戦力になれるよう頑張ります！\nよろしくお願いいたします🙇")
    s.add_member("dev", "2024-04-01 09:35", "ito", ["okada"])
    s.post("dev", "2024-04-01 09:41", "okada", "岡田です。よろしくお願いします！ﾌﾟﾛｸﾞﾗﾐﾝｸﾞは学生時代に少しやっていました。")
    s.add_member("casual", "2024-04-08 12:00", "shimizu", ["kimura", "okada"])
    s.post("partner", "2024-04-19 16:50", "ishihara",
           "お世話になっております。見本物流の石原です。\n4月末で配車センターから異動となるため、本チャットから退出いたします。\n"
           "後任は三浦が担当いたします。大変お世話になりました。")
    s.remove_member("partner", "2024-04-19 17:02", "ishihara", "ishihara")
    s.remove_member("project", "2024-05-10 09:00", "nishimura", "mori")


def write_farewells(s: Sample) -> None:
    """Write the last-day messages of the employees who resign in 2024."""
    s.post("sales", "2024-02-29 17:10", "maeda",
           "本日で最終出社となります。3年間、大変お世話になりました。\n担当していた株式会社例題ケミカル様は吉田さんに引き継ぎ済みです。ありがとうございました (bow)",
           key="maeda_farewell")
    s.post("sales", "2024-02-29 17:25", "yamazaki", "お疲れさまでした！新しい場所でも頑張ってください。", reply_to="maeda_farewell")
    s.post("casual", "2024-02-29 17:40", "maeda", "皆さん、ランチ部でも大変お世話になりました🙇 また見本食堂で会いましょう！")
    s.post("acct", "2024-03-29 16:45", "ota",
           "本日で退職いたします。在職中は本当にありがとうございました。\n未処理の精算は藤田さんに引き継いでいます。", key="ota_farewell")
    s.post("acct", "2024-03-29 16:58", "ishii", "長い間ありがとうございました。お元気で！ (bow)", reply_to="ota_farewell")
    s.post("dm_ota_yoshida", "2024-03-29 17:05", "ota", "吉田さん、精算の件でいつもご協力ありがとうございました。今後は藤田さんにお願いします！")
    s.post("dev", "2024-05-15 17:30", "sugimoto",
           "本日が最終日です。お世話になりました。\nｻｰﾊﾞｰ関連の引き継ぎ資料は共有フォルダの「開発/引き継ぎ」に入れてあります。", key="sugimoto_farewell")
    s.post("dev", "2024-05-15 17:41", "ito", "ありがとうございました。引き継ぎ資料、しっかり読ませてもらいます。", reply_to="sugimoto_farewell")


def write_harassment_case(s: Sample) -> None:
    """Write the fictional power-harassment case that investigators are meant to find.

    The sales manager 権藤 belittles his subordinate 小野寺 in the sales room and in
    their direct chat. Several of the worst messages were edited or deleted later,
    so their original text survives only in message_logs.csv and in the quote that
    the coworker 村瀬 sends to HR.
    """
    m = s.mention
    s.post("sales", "2024-02-20 10:15", "gondo", m("onodera") + "昨日の日報、誤字だらけだったぞ。社会人何年目だよ。")
    s.post("sales", "2024-02-20 10:21", "onodera", "申し訳ありません。今後気をつけます。")
    s.post("sales", "2024-03-05 18:12", "gondo",
           m("onodera") + "見積の数字、また間違ってたぞ。何回言えばわかるんだ。ほんと使えないな。", key="unusable",
           ).edit("2024-03-06 08:55", m("onodera") + "見積の数字に誤りがありました。提出前にもう一度確認をお願いします。")
    s.post("sales", "2024-03-05 18:20", "onodera", "申し訳ございません。すぐに修正して再提出します。", reply_to="unusable")
    s.post("sales", "2024-03-05 18:34", "murase", m("onodera") + "数字のダブルチェック、手伝えるので声をかけてください！")

    s.post("dm_gondo_onodera", "2024-03-08 23:41", "gondo", "明日の朝イチまでに、みほん工業株式会社様向けの提案書を全部作り直せ。")
    s.post("dm_gondo_onodera", "2024-03-08 23:44", "gondo", "既読ついてるよな？すぐ返事しろ")
    s.post("dm_gondo_onodera", "2024-03-08 23:52", "gondo", "返事は？")
    s.post("dm_gondo_onodera", "2024-03-08 23:55", "onodera", "申し訳ありません、確認しました。今から作り直します。")
    s.post("dm_gondo_onodera", "2024-03-08 23:57", "gondo", "最初からそうしろ")

    s.post("sales", "2024-03-13 10:22", "gondo",
           m("onodera") + "お前みたいなのを給料泥棒って言うんだよ。みんなの前で言われたくなかったら結果出せ。",
           key="salary_thief").delete("2024-03-27 17:40")

    s.post("dm_murase_takahashi", "2024-03-14 12:35", "murase",
           m("takahashi") + "お疲れさまです。営業部の村瀬です。ご相談させてください。\n"
           "営業部のグループチャットで、権藤課長から小野寺さんへの強い言葉が続いています。昨日はこのような投稿がありました。\n"
           "{{quote:salary_thief}}\n"
           "ほかにも「使えない」といった発言が何度かありました。小野寺さん本人は言い出しにくいようなので、私からご相談しました。",
           key="murase_report")
    s.post("dm_murase_takahashi", "2024-03-14 13:02", "takahashi",
           m("murase") + "ご相談ありがとうございます。内容を確認し、人事部で慎重に対応します。\n"
           "村瀬さんからの相談であることは、ご本人の了承なく伝えませんのでご安心ください。")
    s.post("dm_murase_takahashi", "2024-03-14 13:05", "takahashi", "念のため、ほかにも気になった投稿があれば、日時を控えておいていただけると助かります。")
    s.post("dm_murase_takahashi", "2024-03-14 13:11", "murase", "承知しました。よろしくお願いいたします (bow)")

    # The quote of the report above contains the quote of the deleted message: a nested quote.
    s.post("hr_case", "2024-03-14 15:12", "takahashi",
           "[info][title]相談受付：営業部の件（取扱注意）[/title]受付日：3/14\n相談者：営業部 村瀬さん（第三者からの相談）\n"
           "対象：営業部 権藤課長から小野寺さんへの言動\n[hr]以下、相談者からのメッセージです。\n{{quote:murase_report}}[/info]")
    s.post("hr_case", "2024-03-14 15:30", "tanaka",
           "共有ありがとう。まずは事実確認から進めましょう。\n小野寺さんへのヒアリングは、本人の負担にならないよう髙橋さんからお願いします。")
    s.post("hr_case", "2024-03-14 15:41", "nomura",
           "法務から一点。投稿が削除・編集される可能性があるので、管理者のエクスポートで"
           "「編集、削除されたメッセージのログ」も含めて取得しておくのがよいと思います。")
    s.post("hr_case", "2024-03-14 15:47", "takahashi", "承知しました。総務部と調整して、編集・削除のログ込みでエクスポートを取得します。")

    s.post("dm_gondo_onodera", "2024-03-19 21:34", "gondo", "今期の評価、覚悟しとけよ。このままならC評価だからな。")
    s.post("dm_gondo_onodera", "2024-03-19 21:50", "onodera", "承知しました…。挽回できるよう頑張ります。")
    s.post("sales", "2024-03-22 11:05", "gondo",
           m("onodera") + "ﾊﾞｶでもできる仕事だろ、これ。なんで半日もかかるんだよ。",
           ).edit("2024-04-02 09:10", m("onodera") + "基本的な作業なので、手順書どおりに進めてください。")
    s.post("dm_gondo_onodera", "2024-03-28 23:15", "gondo", "ば かじゃないの？ 同じこと何回言わせるんだ。",
           ).edit("2024-03-29 07:30", "同じ点を何度か指摘しています。気をつけてください。")
    s.post("dm_gondo_onodera", "2024-03-28 23:18", "gondo", "明日6時に会社に来い。資料の直しは始業前に終わらせとけ。")
    s.post("dm_gondo_onodera", "2024-03-28 23:40", "onodera", "承知しました。")

    s.post("sales", "2024-04-03 17:45", "gondo", "無能な部下を持つと苦労するわ（笑）", key="incompetent")
    s.post("sales", "2024-04-03 17:58", "yamazaki", "チャットでの言い方には気をつけてください。後で少し話しましょう。", reply_to="incompetent")
    s.post("dm_gondo_onodera", "2024-04-10 22:48", "gondo",
           "やる気ないなら辞めちまえ。お前の代わりなんていくらでもいるんだよ。").delete("2024-04-11 08:02")
    s.post("dm_gondo_onodera", "2024-04-10 23:30", "onodera", "申し訳ありません。")
    s.post_upload("dm_gondo_onodera", "2024-04-12 00:20", "gondo",
                  "今から資料送るから朝までにチェックして返して。終わるまで寝るなよ。", "提案書_修正指示.docx")
    s.post("dm_gondo_onodera", "2024-04-12 02:41", "onodera", "チェックして修正版をお送りしました。ご確認をお願いします。")

    onodera = s.people["onodera"]
    memo_task = "面談前に、気になった出来事を日時つきでメモしておく（任意）"
    s.post("dm_takahashi_onodera", "2024-04-15 10:30", "takahashi",
           "お疲れさまです。人事部の髙橋です。\n最近の業務の状況について、一度お話を伺えればと思っています。"
           "ご都合のよい日時を教えてください。\n面談の内容は人事部内で厳重に取り扱います。")
    s.post("dm_takahashi_onodera", "2024-04-15 12:48", "onodera",
           "ご連絡ありがとうございます。正直、もう限界かもしれません。\n4/17の午後でしたらお時間を取れます。")
    s.post("dm_takahashi_onodera", "2024-04-15 13:05", "takahashi",
           "4/17(水) 14:00〜15:00、応接室Aでお願いします。\n無理のない範囲で大丈夫です。話せることだけ話してください。")
    s.post("dm_takahashi_onodera", "2024-04-15 13:06", "takahashi", task_block(onodera, memo_task, date(2024, 4, 17)), system=True)
    s.post("dm_takahashi_onodera", "2024-04-17 13:40", "onodera", task_block(onodera, memo_task, date(2024, 4, 17), done=True), system=True)
    s.post("dm_takahashi_onodera", "2024-04-17 15:20", "takahashi",
           "本日はお時間をいただきありがとうございました。\n今後の対応は改めてご連絡します。体調を最優先にしてください。")

    s.post("sales", "2024-04-17 16:05", "gondo", m("onodera") + "バカなの？ 先方に下書きのまま送るとか信じられん。")
    s.post("sales", "2024-04-17 16:12", "onodera", "申し訳ありません。すぐに先方へ訂正版をお送りします。")
    s.post("hr_case", "2024-04-19 10:02", "takahashi",
           "4/17に小野寺さんとの面談を実施しました。記録は人事部の共有フォルダ（アクセス制限あり）に保存しています。\n"
           "ダイレクトチャットでも、深夜の指示や評価をほのめかす発言があったとのことです。")
    s.post("hr_case", "2024-04-19 10:15", "tanaka", "ありがとう。権藤課長へのヒアリングは4/26で調整してください。")
    s.post("hr_case", "2024-04-19 10:20", "nomura", "ヒアリングには私も同席します。")
    s.post("dm_gondo_onodera", "2024-04-24 21:05", "gondo", "面談で人事に何か言ったか？ 査定は俺が決めるってこと、忘れるなよ。")
    s.post("hr_case", "2024-04-26 17:30", "takahashi",
           "権藤課長へのヒアリングを実施しました。本人は「指導のつもりだった」との説明です。\n"
           "一部の投稿は、すでに本人が削除・編集していることも確認しました。")
    s.post("sales", "2024-05-08 18:40", "gondo", "使えないやつに任せた俺がバカだった。",
           ).edit("2024-05-08 19:02", "任せた私の確認不足でした。").delete("2024-05-09 08:30")
    s.post("hr_case", "2024-05-09 11:00", "takahashi",
           "営業部グループの5/8 18:40の投稿が削除されています。\n管理者エクスポートの編集・削除ログで、元の文面を確認できました。")
    s.post("hr_case", "2024-05-20 16:00", "tanaka",
           "懲戒委員会で対応を検討します。\n小野寺さんは6/1付で第二営業課へ異動する方向で、本人と調整中です。")
    s.post("allhands", "2024-05-31 10:00", "tanaka",
           "[toall]\n[info][title]ハラスメント防止研修のお知らせ[/title]6/14(金) 15:00〜16:30 に全社員向けのハラスメント防止研修を行います。\n"
           "[hr]① 管理職は必ず参加してください\n② 一般社員もできる限り参加してください。オンラインでも参加できます\n"
           "③ 相談窓口は人事部です。相談した人が不利益を受けることはありません[/info]")


def write_notation_samples(s: Sample) -> None:
    """Write messages that cover Chatwork notation and text that breaks spreadsheets or encodings."""
    m = s.mention
    people = s.people

    # Commas, double quotes and line breaks in one body, and several mentions in one message.
    s.post("sales", "2024-01-22 11:20", "murase",
           'メールの件名は"【ご案内】春の新商品説明会"でお願いします。\n日時：2/8(木) 14:00〜15:30\n'
           "場所：本社 第1会議室, オンライン併用\n対象：既存のお客様, 代理店様")
    s.post("sales", "2024-01-23 09:40", "yamazaki",
           m("gondo", "nakamura", "murase") + "春の説明会の担当、3人でお願いします。\n役割分担は1/25(木)の営業会議で決めましょう。")

    # Bodies that a spreadsheet would read as formulas.
    s.post("acct", "2024-02-08 15:30", "fujita",
           "=SUM(A1:A12)の式が入ったまま提出された精算書がありました。\n合計欄には数式ではなく金額を入力してください。")
    s.post("partner", "2024-02-15 11:00", "miura",
           "+81-3-0000-1234 が弊社配車センターの直通番号です。\n海外拠点からのお問い合わせにはこちらをご案内ください。")
    s.post("sales", "2024-02-27 14:10", "nakamura",
           "-5%の件、株式会社見本物産様から回答がありました。\n今回は見送りで、定価の-3%なら検討できるとのことです。")
    s.post("allhands", "2024-04-05 13:30", "suzuki", "@全員 本日17時から3階のエレベーター点検のため、階段をご利用ください。")
    s.post("casual", "2024-05-17 12:10", "okamoto", "@全員 来週金曜の歓迎会、出欠を今日中にお願いします🍻")

    # Code blocks: the mention and the quotes inside are literal text.
    s.post("dev", "2024-02-14 16:20", "watanabe",
           "チャットのメンション抽出、正規表現はこれで試しています。\n[code]\nimport re\n\n"
           '# 例: "[To:1]テストさん" から 1 を取り出す\n'
           'MENTION = re.compile(r"\\[To:(\\d+)\\]")\nprint(MENTION.findall("[To:1]テストさん"))\n[/code]\n'
           "コードの中のメンションは通知されないので安心してください :)")
    s.post("acct", "2024-04-12 10:05", "goto",
           '取込用のCSVはこの形式でお願いします。\n[code]\n"勘定科目","金額","摘要"\n"旅費交通費","1,280","""見本物産"" 訪問"\n[/code]')

    # Emoji with a zero-width joiner, half-width kana and circled digits.
    s.post("dev", "2024-01-15 09:02", "yamamoto",
           "おはようございます。本日は在宅勤務です\U0001F469\u200D\U0001F4BB 何かあればチャットでお願いします。")
    s.post("dev", "2024-03-04 10:00", "saito", "ﾃｽﾄ用のｻｰﾊﾞｰ、今日からIPアドレスが変わります。\n① 旧アドレスは3/8まで使えます\n② 新アドレスは共有フォルダの一覧を見てください")

    # A quote without a time.
    s.post("soumu", "2024-04-08 09:30", "shimizu",
           f"[qt][qtmeta aid={people['sato'].account_id}]会議室の予約は30分単位でお願いします。[/qt]\n"
           "↑先週の部長からの連絡です。改めてご確認ください！")

    # A task without a deadline.
    task_text = "研修アンケートの集計フォーマットを作る"
    s.post("hr", "2024-02-06 11:00", "takahashi", task_block(people["kato"], task_text, None), system=True)
    s.post("hr", "2024-02-09 16:30", "kato", task_block(people["kato"], task_text, None, done=True), system=True)

    # A file link shared again weeks after the upload.
    s.post_upload("project", "2024-02-19 14:00", "yamamoto", "デザイン案の2案目です。", "デザイン案_2.png", file_key="design2")
    s.post("project", "2024-03-11 10:15", "nishimura", "前回のデザイン案はこちらです。\n{{download:design2}}\nこれをベースに色違いを作りましょう。")

    # Broken or unmatched tags that must stay literal.
    s.post("dev", "2024-02-21 10:40", "hayashi",
           "[qt]昨日の障害の件、ログの該当箇所はこちらです\n2024-02-20 14:03:11 ERROR session expired (user_id=1043)")
    s.post("soumu", "2024-03-11 17:20", "suzuki", "[info]明日は10時から消火器点検です。業者さんが各フロアを回ります。")
    s.post("project", "2024-04-22 11:00", "inoue", "[title]展示会のブース案[/title]\n案Aと案Bで迷っています。意見をください！")
    s.post("casual", "2024-05-14 12:30", "kato", "[To:]あれ、メンションがうまく入りませんでした (sweat)")
    s.post("dev", "2024-05-20 15:10", "saito", "ビルドログの最後に [/code] だけ残ってしまっていました。テンプレートを直しておきます。")

    s.post("casual", "2024-03-29 17:30", "shimizu", "今年度もお疲れさまでした🎉 (cracker)")


def write_legacy_history(s: Sample) -> None:
    """Write the 2017-2023 history of the oldest room, with changes on both sides of HISTORY_CUTOFF."""
    # Changed before the cutoff: the export shows the result but has no log rows.
    s.post("legacy", "2017-07-03 10:15", "suzuki", "新しいメールサーバーの移行日は7/24(月)で確定しました。",
           ).edit("2017-07-03 10:20", "新しいメールサーバーの移行日は7/31(月)で確定しました。")
    # The export shows the sender as 解約済みユーザー, but the reply and the mention carry his name.
    s.post("legacy", "2017-07-10 14:02", "former", "旧メールサーバーのアカウント一覧を共有フォルダに置きました。退職者の分は削除済みです。",
           key="former_accounts")
    s.post("legacy", "2017-07-10 14:20", "sato", "ありがとうございます！総務部の分も確認しておきます。", reply_to="former_accounts")
    s.post("legacy", "2017-07-11 09:40", "ito", s.mention("former") + "一覧の件、ありがとうございました。移行当日の立ち会いもお願いできますか？")
    s.post("legacy", "2017-08-01 11:30", "watanabe", "すみません、別のチャットに送るつもりでした").delete("2017-08-01 11:31")
    s.post("legacy", "2017-09-12 16:40", "ito", "PC入れ替えは10月第2週から始めます。対象は25台です。",
           ).edit("2017-09-13 09:05", "PC入れ替えは10月第3週から始めます。対象は28台です。")
    s.post("legacy", "2017-10-05 10:10", "sato", "総務部のプリンタ、ドライバの更新後に印刷できなくなっています。").delete("2017-10-06 09:00")
    s.post("legacy", "2017-10-27 15:40", "suzuki", "旧ファイルサーバーの停止は11/10(金)の予定です。",
           ).edit("2017-10-27 15:50", "旧ファイルサーバーの停止は11/17(金)の予定です。")
    # Changed after the cutoff: these get log rows.
    s.post("legacy", "2017-10-27 16:45", "watanabe", "新しいファイルサーバーへのコピーは完了しました。",
           ).edit("2017-10-27 17:05", "新しいファイルサーバーへのコピーは完了しました。権限の設定は来週行います。")
    s.post("legacy", "2017-11-20 13:00", "ito", "旧サーバーの管理者パスワードは別途お伝えします。").delete("2017-11-21 09:15")

    s.post("legacy", "2018-04-02 09:30", "ito", "[toall]\n年度初めのパスワード変更をお願いします。期限は4/13(金)です。")
    s.rename_room("legacy", "2019-04-01 10:00", "ito", "情報システム連絡")
    s.post("legacy", "2019-04-01 10:02", "ito", "移行プロジェクトは完了したので、今後はこのチャットを情報システムの連絡用に使います。")
    s.post("legacy", "2020-04-07 18:30", "watanabe", "在宅勤務の開始に合わせて、VPNの同時接続数を50に増やしました。",
           ).edit("2020-04-08 09:00", "在宅勤務の開始に合わせて、VPNの同時接続数を80に増やしました。")
    s.post("legacy", "2021-10-01 10:00", "suzuki", "社内Wi-Fiのパスワードを変更しました。新しいパスワードは総務部で配布しています。")
    s.post("legacy", "2022-06-15 15:20", "ito", "ウイルス対策ソフトの更新で再起動を求められた方は、作業の区切りで再起動してください。")
    s.post("legacy", "2023-10-02 09:45", "watanabe", "PCの入れ替えを10月中に行います。対象者には個別に連絡します。")


# Filler conversations per room: room key, first day, last day, approximate message count.
EXPORT_FILLER = [
    ("allhands", "2024-01-09", "2024-06-28", 110),
    ("sales", "2024-01-09", "2024-06-28", 400),
    ("soumu", "2024-01-09", "2024-06-28", 160),
    ("hr", "2024-01-09", "2024-06-28", 150),
    ("dev", "2024-01-09", "2024-06-28", 330),
    ("acct", "2024-01-09", "2024-06-28", 160),
    ("project", "2024-01-10", "2024-06-28", 220),
    ("casual", "2024-01-10", "2024-06-28", 200),
    ("partner", "2024-02-01", "2024-06-28", 110),
    ("legacy", "2017-06-12", "2017-11-30", 26),
    ("legacy", "2024-01-09", "2024-06-28", 30),
    ("dm_gondo_onodera", "2024-01-09", "2024-05-31", 60),
    ("dm_murase_takahashi", "2024-01-09", "2024-03-08", 6),
    ("dm_ota_yoshida", "2024-01-09", "2024-03-28", 45),
    ("dm_watanabe_hayashi", "2024-01-09", "2024-06-28", 70),
]


def build_export(sample: Sample) -> None:
    """Build the rooms and messages of the CSV export. Scripted events come first so filler respects their membership changes."""
    build_export_rooms(sample)
    write_membership_events(sample)
    write_farewells(sample)
    write_harassment_case(sample)
    write_notation_samples(sample)
    write_legacy_history(sample)
    for room_key, first, last, count in EXPORT_FILLER:
        write_filler(sample, sample.rooms[room_key], first, last, count)


# ---------------------------------------------------------------------------
# API backup rooms
# ---------------------------------------------------------------------------

# The account whose API token made the backup. rooms.json shows its role and open tasks.
API_BACKUP_OWNER = "ito"

API_FILLER = [
    ("api_liaison", "2024-01-09", "2024-02-28", 52),
    ("api_servers", "2024-01-09", "2024-02-28", 55),
    ("api_dm", "2024-01-09", "2024-02-28", 35),
]


def build_api_backup(sample: Sample) -> None:
    """Build the three rooms of the API backup, which covers January and February 2024."""
    liaison = sample.add_room("api_liaison", "営業・開発 連絡会", "group", "liaison", "2024-01-09 13:00",
                              [("ito", "admin"), ("yamazaki", "admin"), ("maeda", "member"), ("watanabe", "member"),
                               ("yoshida", "member"), ("yamamoto", "member")], dataset="api")
    servers = sample.add_room("api_servers", "開発部 ｻｰﾊﾞｰ保守", "group", "dev", "2024-01-09 13:30",
                              [("ito", "admin"), ("watanabe", "admin"), ("saito", "member"), ("hayashi", "member"),
                               ("hasegawa", "member")], dataset="api")
    # The API names a direct chat after the other person.
    sample.add_room("api_dm", "山本 花子", "direct", "dev", "2024-01-09 09:00",
                    [("ito", "admin"), ("yamamoto", "admin")], dataset="api")
    sample.announce_creation(liaison)
    sample.announce_creation(servers)

    # 前田 has resigned by the time of the backup, so the API returns his name empty.
    # The mention in 山﨑's message still carries it.
    sample.post("api_liaison", "2024-01-11 10:20", "maeda",
                "営業の前田です。株式会社例題ケミカル様から、見本ノートPROのCSV出力について問い合わせがありました。\n"
                "Excelで開くと文字化けするそうです。", key="api_maeda_question")
    sample.post("api_liaison", "2024-01-11 11:02", "watanabe",
                "BOMなしのUTF-8が原因かもしれません。設定で回避できるか確認します。", reply_to="api_maeda_question")
    sample.post("api_liaison", "2024-02-26 15:00", "yamazaki",
                sample.mention("maeda") + "2月末で退職と聞きました。これまでありがとうございました。\n担当のお客様は吉田さんへの引き継ぎをお願いします。")
    sample.post("api_liaison", "2024-02-26 15:20", "maeda", "ありがとうございます。引き継ぎ資料は本日中にまとめます (bow)")

    for room_key, first, last, count in API_FILLER:
        write_filler(sample, sample.rooms[room_key], first, last, count)


# ---------------------------------------------------------------------------
# Random edits and deletions
# ---------------------------------------------------------------------------

TAG_PATTERN = re.compile(r"\[[^\]]*\]")
# Correct text and the typo of an earlier draft.
TYPO_SWAPS = [
    ("お願いします", "お願いしまs"), ("ありがとうございます", "ありがとうござます"), ("確認", "確任"),
    ("資料", "資量"), ("よろしく", "よろしk"), ("承知しました", "承知しまいた"), ("会議", "快義"),
    ("予定", "余諦"), ("です。", "dす。"),
]


def earlier_drafts(text: str) -> list[str]:
    """Return plausible earlier drafts of text: a typo, another number, a missing last line, or a half-sent line.

    Tags and mentions are left alone, so a draft never changes an account or file ID.
    """
    masked = TAG_PATTERN.sub(lambda match: "\0" * len(match.group()), text)
    drafts = []
    for correct, typo in TYPO_SWAPS:
        index = masked.find(correct)
        if index >= 0:
            drafts.append(text[:index] + typo + text[index + len(correct):])
    number = re.search(r"[0-9]+", masked)
    if number:
        # Change the last digit of the first number: 2024 becomes 2025, 14:00 becomes 15:00.
        index = number.end() - 1
        drafts.append(text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1:])
    lines = text.split("\n")
    kept = "\n".join(lines[:-1])
    if len(lines) >= 2 and lines[-1].strip() and "[" not in lines[-1] and len(TAG_PATTERN.sub("", kept)) >= 12:
        drafts.append(kept)
    if "[" not in text and len(text) >= 8:
        drafts.append(text[: len(text) // 2])
    return drafts


def change_delay(rng: random.Random) -> timedelta:
    """Pick the time between sending (or a previous edit) and the next change."""
    roll = rng.random()
    if roll < 0.7:
        return timedelta(minutes=rng.randint(1, 30), seconds=rng.randint(0, 59))
    if roll < 0.9:
        return timedelta(hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
    return timedelta(days=1, hours=rng.randint(0, 6), minutes=rng.randint(0, 59))


def apply_random_changes(sample: Sample, rooms: list[Room], edit_rate: float, delete_rate: float) -> None:
    """Edit and delete random filler messages until the rooms reach the given shares of changed messages.

    Every fifth edited message is edited twice. The second one is edited in the
    second it was sent, so its log row has the send time. The third one is
    deleted after its edit.
    """
    rng = sample.rng
    messages = [message for room in rooms for message in room.messages]
    edits_needed = round(len(messages) * edit_rate) - sum(1 for message in messages if message.edited)
    deletes_needed = round(len(messages) * delete_rate) - sum(1 for message in messages if message.deleted_at)
    eligible = [
        message for message in messages
        if not (message.scripted or message.system or message.files)
        and "[dtext:" not in message.versions[0][1]
        and message.send_time >= HISTORY_CUTOFF
        and earlier_drafts(message.versions[0][1])
    ]
    chosen = rng.sample(eligible, max(0, edits_needed) + max(0, deletes_needed))
    to_edit, to_delete = chosen[: max(0, edits_needed)], chosen[max(0, edits_needed):]

    for index, message in enumerate(to_edit):
        texts = [message.versions[0][1]]
        for _ in range(2 if index % 5 == 0 else 1):
            drafts = earlier_drafts(texts[0])
            if not drafts:
                break
            texts.insert(0, rng.choice(drafts))
        moments = [message.send_time]
        for _ in texts[1:]:
            moments.append(moments[-1] + (timedelta(0) if index == 1 else change_delay(rng)))
        message.versions = list(zip(moments, texts))
        if index == 2:
            message.deleted_at = moments[-1] + change_delay(rng)
    for message in to_delete:
        message.deleted_at = message.send_time + change_delay(rng)


# ---------------------------------------------------------------------------
# IDs and rendering
# ---------------------------------------------------------------------------

PLACEHOLDER_PATTERN = re.compile(r"\{\{(quote|download):(\w+)\}\}")


def assign_message_ids(sample: Sample, messages: list[Message]) -> None:
    """Give every message a unique 19-digit ID, ascending in send-time order."""
    last_id = 0
    for message in sorted(messages, key=lambda message: (message.send_time, message.seq)):
        seconds = unix_seconds(message.send_time) - unix_seconds(MESSAGE_ID_EPOCH)
        candidate = MESSAGE_ID_BASE + seconds * 10_000_000 + sample.rng.randrange(10_000_000)
        last_id = max(candidate, last_id + 1)
        message.message_id = last_id


def render_text(sample: Sample, message: Message, text: str) -> str:
    """Resolve placeholders in one version of a message and prefix the reply tag, if any."""
    body = PLACEHOLDER_PATTERN.sub(lambda match: resolve_placeholder(sample, match.group(1), match.group(2)), text)
    if message.reply_to is not None:
        target = message.reply_to
        body = f"[rp aid={target.sender.account_id} to={target.room.room_id}-{target.message_id}]{target.sender.name}さん\n{body}"
    return body


def resolve_placeholder(sample: Sample, kind: str, key: str) -> str:
    if kind == "download":
        return file_link(sample.keyed_files[key])
    # A quote shows the message as it was first sent, which may differ from the export.
    quoted = sample.keyed_messages[key]
    text = render_text(sample, quoted, quoted.versions[0][1])
    return f"[qt][qtmeta aid={quoted.sender.account_id} time={unix_seconds(quoted.send_time)}]{text}[/qt]"


def last_change_time(message: Message) -> datetime | None:
    """Return the time the export shows as 更新日時.

    A deletion before HISTORY_CUTOFF has no recorded time, so it returns None.
    """
    if message.deleted_at is not None:
        return message.deleted_at if message.deleted_at >= HISTORY_CUTOFF else None
    if message.edited:
        return message.versions[-1][0]
    return None


# ---------------------------------------------------------------------------
# CSV export
# ---------------------------------------------------------------------------


def file_url(shared: SharedFile) -> str:
    # Made-up link form; the real export links back to Chatwork and these URLs do not resolve.
    return f"https://www.chatwork.com/gateway/download_file.php?bin=1&file_id={shared.file_id}"


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    """Write UTF-8 with BOM, CRLF record ends and RFC 4180 quoting. Line breaks inside bodies stay LF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def export_message_rows(sample: Sample, message: Message) -> tuple[list, list[list]]:
    """Return the messages.csv row of message and its message_logs.csv rows."""
    body = "[delete]" if message.deleted_at else render_text(sample, message, message.versions[-1][1])
    changed = last_change_time(message)
    row = [
        str(message.message_id), message.sender.account_id, message.sender.export_name,
        export_time(message.send_time), export_time(changed) if changed else "", body,
    ]
    logs = []
    for (_, before), (when, _) in zip(message.versions, message.versions[1:]):
        if when >= HISTORY_CUTOFF:
            logs.append([str(message.message_id), "編集", export_time(when), render_text(sample, message, before)])
    if message.deleted_at and message.deleted_at >= HISTORY_CUTOFF:
        logs.append([str(message.message_id), "削除", export_time(message.deleted_at),
                     render_text(sample, message, message.versions[-1][1])])
    return row, logs


def write_export(sample: Sample, rooms: list[Room], out_dir: Path) -> None:
    member_rows = []
    for room in rooms:
        for membership in room.listed_memberships():
            person = membership.person
            member_rows.append([room.room_id, room.name, ROOM_KINDS_JA[room.kind], room.folder, person.account_id,
                                person.export_name, ROLE_NAMES_JA[membership.role]])
    write_csv(out_dir / "members" / "members.csv", EXPORT_HEADERS["members"], member_rows)

    for room in rooms:
        folder = out_dir / room.folder
        message_rows, log_rows = [], []
        for message in room.messages:
            row, logs = export_message_rows(sample, message)
            message_rows.append(row)
            log_rows.extend(logs)
        log_rows.sort(key=lambda row: (row[2], row[0]))
        file_rows = [
            [shared.file_id, str(shared.message.message_id), shared.message.sender.account_id,
             shared.message.sender.export_name, shared.filename, shared.size,
             export_time(shared.message.send_time), file_url(shared)]
            for shared in room.files
        ]
        room_member_rows = [
            [m.person.account_id, m.person.export_name, ROLE_NAMES_JA[m.role], m.person.organization, m.person.department]
            for m in room.listed_memberships()
        ]
        write_csv(folder / "messages.csv", EXPORT_HEADERS["messages"], message_rows)
        write_csv(folder / "message_logs.csv", EXPORT_HEADERS["message_logs"], log_rows)
        write_csv(folder / "files.csv", EXPORT_HEADERS["files"], file_rows)
        write_csv(folder / "members.csv", EXPORT_HEADERS["room_members"], room_member_rows)


# ---------------------------------------------------------------------------
# API v2 JSON backup
# ---------------------------------------------------------------------------


def avatar_url(person: Person) -> str:
    # Made-up avatar URL that does not resolve.
    return f"https://appdata.chatwork.com/avatar/{str(person.account_id)[:4]}/{person.account_id}.rsz.png"


def api_account(person: Person) -> dict:
    # The API often returns resigned accounts with an empty name. This sample blanks every one.
    return {
        "account_id": person.account_id,
        "name": "" if person.resigned_at else person.name,
        "avatar_image_url": avatar_url(person),
    }


def api_message(sample: Sample, message: Message) -> dict:
    changed = message.deleted_at or (message.versions[-1][0] if message.edited else None)
    return {
        "message_id": str(message.message_id),
        "account": api_account(message.sender),
        "body": "[deleted]" if message.deleted_at else render_text(sample, message, message.versions[-1][1]),
        "send_time": unix_seconds(message.send_time),
        "update_time": unix_seconds(changed) if changed else 0,
    }


def count_tasks(room: Room, assignee: Person | None = None) -> tuple[int, int]:
    """Return the number of tasks added in room and how many of them are still open, optionally for one assignee."""
    added = done = 0
    for message in room.messages:
        text = message.versions[-1][1]
        if assignee is not None and f"[task aid={assignee.account_id} " not in text:
            continue
        added += "[dtext:task_added]" in text
        done += "[dtext:task_done]" in text
    return added, added - done


def api_room(room: Room, owner: Person) -> dict:
    other = [m.person for m in room.memberships if m.person is not owner]
    task_count, _ = count_tasks(room)
    _, my_open_tasks = count_tasks(room, owner)
    return {
        "room_id": room.room_id,
        "name": room.name,
        "type": room.kind,
        "role": room.membership_of(owner).role,
        "sticky": room.kind == "direct",
        "unread_num": 0,
        "mention_num": 0,
        "mytask_num": my_open_tasks,
        "message_num": len(room.messages),
        "file_num": len(room.files),
        "task_num": task_count,
        "icon_path": avatar_url(other[0]) if room.kind == "direct" else "https://appdata.chatwork.com/icon/ico_group.png",
        "last_update_time": unix_seconds(room.messages[-1].send_time),
    }


def api_member(membership: Membership) -> dict:
    person = membership.person
    return {
        "account_id": person.account_id,
        "role": membership.role,
        "name": person.name,
        "chatwork_id": f"mihon-{person.key}",
        "organization_id": API_ORGANIZATION_ID,
        "organization_name": person.organization,
        "department": person.department,
        "avatar_image_url": avatar_url(person),
    }


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n")


def write_api_backup(sample: Sample, rooms: list[Room], out_dir: Path) -> None:
    """Write rooms.json and one folder per room.

    The liaison room's messages are split over messages.json and messages-2.json,
    as a backup that pages through the API stores them. The server room uses
    JSON Lines (messages.jsonl).
    """
    owner = sample.people[API_BACKUP_OWNER]
    write_json(out_dir / "rooms.json", [api_room(room, owner) for room in rooms])
    for room in rooms:
        folder = out_dir / "rooms" / str(room.room_id)
        members = [api_member(m) for m in room.listed_memberships() if not m.person.resigned_at]
        write_json(folder / "members.json", members)
        messages = [api_message(sample, message) for message in room.messages]
        if room.key == "api_liaison":
            split = len(messages) * 3 // 5
            write_json(folder / "messages.json", messages[:split])
            write_json(folder / "messages-2.json", messages[split:])
        elif room.key == "api_servers":
            lines = "".join(json.dumps(message, ensure_ascii=False) + "\n" for message in messages)
            (folder / "messages.jsonl").write_text(lines, encoding="utf-8", newline="\n")
        else:
            write_json(folder / "messages.json", messages)
        files = [
            {
                "file_id": shared.file_id,
                "account": api_account(shared.message.sender),
                "message_id": str(shared.message.message_id),
                "filename": shared.filename,
                "filesize": shared.size,
                "upload_time": unix_seconds(shared.message.send_time),
            }
            for shared in room.files
        ]
        write_json(folder / "files.json", files)


# ---------------------------------------------------------------------------
# Summary and entry point
# ---------------------------------------------------------------------------

HARASSMENT_ROOMS = [
    ("sales", "group room where 権藤 belittles 小野寺"),
    ("dm_gondo_onodera", "direct chat with late-night demands and threats"),
    ("dm_murase_takahashi", "coworker's report to HR, quoting a deleted message"),
    ("hr_case", "HR and legal case room, with a nested quote"),
    ("dm_takahashi_onodera", "HR interview with the subordinate"),
]


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def summarize_export(sample: Sample, rooms: list[Room]) -> list[str]:
    messages = [message for room in rooms for message in room.messages]

    listed = {}
    for room in rooms:
        for membership in room.listed_memberships():
            listed[membership.person.account_id] = membership.person
    senders = {}
    for message in messages:
        senders[message.sender.account_id] = message.sender
    unlisted_senders = [person for account_id, person in senders.items() if account_id not in listed]

    edited = [message for message in messages if message.edited]
    deleted = [message for message in messages if message.deleted_at]
    log_rows = [log for message in messages for log in export_message_rows(sample, message)[1]]
    unlogged = [
        message for message in messages
        if (message.edited and message.versions[-1][0] < HISTORY_CUTOFF)
        or (message.deleted_at and message.deleted_at < HISTORY_CUTOFF)
    ]
    staff = [person for person in listed.values() if person.organization == ORG_NAME and not person.resigned_at]

    lines = [
        "chatwork-export",
        f"  rooms: {len(rooms)} (group {sum(r.kind == 'group' for r in rooms)}, direct {sum(r.kind == 'direct' for r in rooms)})",
        f"  accounts in members files: {len(listed)} ({len(staff)} active employees, "
        f"{sum(p.organization == PARTNER_ORG_NAME for p in listed.values())} partner, "
        f"{sum(bool(p.resigned_marker) for p in listed.values())} resigned with a marker, "
        f"{sum(p.anonymized for p in listed.values())} anonymous resigned)",
        f"  senders: {len(senders)}; in no members file: "
        + ", ".join(f"{p.name} ({p.account_id}, {p.organization})" for p in unlisted_senders),
        f"  messages: {len(messages)} ({sum('[dtext:' in m.versions[-1][1] for m in messages)} with [dtext:…] system text)",
        f"  edited: {len(edited)} ({percent(len(edited), len(messages))}), "
        f"{sum(len(m.versions) > 2 for m in edited)} of them twice",
        f"  deleted: {len(deleted)} ({percent(len(deleted), len(messages))}), "
        f"{sum(m.edited for m in deleted)} of them edited first",
        f"  message_logs rows: {len(log_rows)} (編集 {sum(r[1] == '編集' for r in log_rows)}, "
        f"削除 {sum(r[1] == '削除' for r in log_rows)})",
        f"  changed before 2017-10-27 16:30 without log rows: {len(unlogged)}",
        f"  files: {sum(len(r.files) for r in rooms)}",
        "  resigned accounts:",
    ]
    for person in senders.values():
        if person.resigned_at:
            where = ", ".join(room.name for room in rooms if any(m.sender is person for m in room.messages))
            lines.append(f"    {person.export_name} ({person.account_id}): messages in {where}")

    lines.append("  harassment case:")
    for key, role in HARASSMENT_ROOMS:
        room = sample.rooms[key]
        lines.append(f"    {room.folder} {room.name}: {role}")

    lines.append("  rooms (folder, kind, name: messages / edited / deleted / files):")
    for room in rooms:
        lines.append(
            f"    {room.folder} {room.kind} {room.name}: {len(room.messages)} / "
            f"{sum(m.edited for m in room.messages)} / {sum(bool(m.deleted_at) for m in room.messages)} / {len(room.files)}"
        )
    return lines


def summarize_api(rooms: list[Room]) -> list[str]:
    messages = [message for room in rooms for message in room.messages]
    blank = {m.sender.account_id: m.sender for m in messages if m.sender.resigned_at}
    return [
        "api-backup",
        f"  rooms: {len(rooms)}; messages: {len(messages)}; edited: {sum(m.edited for m in messages)}; "
        f"deleted: {sum(bool(m.deleted_at) for m in messages)}; files: {sum(len(r.files) for r in rooms)}",
        "  accounts with an empty name: " + ", ".join(f"{p.account_id} ({p.name})" for p in blank.values()),
        "  rooms (folder, kind, name: messages / files):",
    ] + [
        f"    rooms/{room.room_id} {room.kind} {room.name}: {len(room.messages)} / {len(room.files)}"
        for room in rooms
    ]


def main() -> None:
    sample = Sample(SEED)
    build_people(sample)
    build_export(sample)
    export_rooms = [room for room in sample.rooms.values() if room.dataset == "export"]
    apply_random_changes(sample, export_rooms, edit_rate=0.04, delete_rate=0.015)
    build_api_backup(sample)
    api_rooms = [room for room in sample.rooms.values() if room.dataset == "api"]
    apply_random_changes(sample, api_rooms, edit_rate=0.03, delete_rate=0.015)

    all_messages = [message for room in sample.rooms.values() for message in room.messages]
    assign_message_ids(sample, all_messages)
    for room in sample.rooms.values():
        room.messages.sort(key=lambda message: (message.send_time, message.seq))
        room.files.sort(key=lambda shared: (shared.message.send_time, shared.message.seq))

    for folder in (EXPORT_DIR, API_DIR):
        if folder.exists():
            shutil.rmtree(folder)
    write_export(sample, export_rooms, EXPORT_DIR)
    write_api_backup(sample, api_rooms, API_DIR)

    print("\n".join(summarize_export(sample, export_rooms) + summarize_api(api_rooms)))


if __name__ == "__main__":
    main()
