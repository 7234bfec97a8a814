#!/usr/bin/env python3
"""Check the files that make_sample.py wrote, reading them back from disk.

Covers the format (UTF-8 with BOM, CRLF, RFC 4180 quoting, headers, field
counts), ID shapes and uniqueness, and the cross-references between files:
file links, reply targets, edit logs and room membership. Prints a line per
problem and exits with status 1 if there is any.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXPORT_DIR = ROOT / "chatwork-export"
API_DIR = ROOT / "api-backup"
MAX_TOTAL_BYTES = 3 * 1024 * 1024

HEADERS = {
    "members": ["ルームID", "ルーム名", "種別", "ファイルパス", "アカウントID", "名前", "権限"],
    "messages.csv": ["メッセージID", "アカウントID", "名前", "送信日時", "更新日時", "本文"],
    "message_logs.csv": ["メッセージID", "操作", "操作日時", "操作前の本文"],
    "files.csv": ["ファイルID", "メッセージID", "アカウントID", "名前", "ファイル名", "サイズ", "アップロード日時", "URL"],
    "members.csv": ["アカウントID", "名前", "権限", "組織名", "部署"],
}
ROOM_FILES = ["messages.csv", "message_logs.csv", "files.csv", "members.csv"]
HISTORY_CUTOFF = "2017-10-27 16:30:00"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

DOWNLOAD = re.compile(r"\[download:(\d+)\]")
PREVIEW = re.compile(r"\[preview id=(\d+) ht=\d+\]")
REPLY = re.compile(r"\[rp aid=(\d+) to=(\d+)-(\d+)\]")
MENTION = re.compile(r"\[To:(\d+)\]")
CODE_BLOCK = re.compile(r"\[code\].*?\[/code\]", re.S)

problems: list[str] = []


def problem(text: str) -> None:
    problems.append(text)


def is_digits(value: str, *lengths: int) -> bool:
    return value.isascii() and value.isdigit() and len(value) in lengths


def is_time(value: str) -> bool:
    try:
        datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return False
    return True


def read_export_csv(path: Path, header: list[str]) -> list[dict[str, str]]:
    """Read a CSV and check its encoding, line ends, quoting, header and field counts."""
    raw = path.read_bytes()
    name = path.relative_to(EXPORT_DIR)
    if not raw.startswith(b"\xef\xbb\xbf"):
        problem(f"{name}: missing UTF-8 BOM")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))

    # Writing the parsed rows back with CRLF and minimal quoting must give the same text,
    # which shows CRLF record ends and RFC 4180 quoting.
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    if buffer.getvalue() != text:
        problem(f"{name}: not CRLF-terminated RFC 4180 CSV (round trip differs)")

    if not rows or rows[0] != header:
        problem(f"{name}: header {rows[0] if rows else None} is not {header}")
        return []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problem(f"{name}: record {number} has {len(row)} fields, header has {len(header)}")
    return [dict(zip(header, row)) for row in rows[1:] if len(row) == len(header)]


def check_links(where: str, body: str, file_ids: set[str], messages_by_room: dict[str, dict[str, dict]]) -> None:
    """Check the file links and reply targets in one body."""
    for file_id in DOWNLOAD.findall(body) + PREVIEW.findall(body):
        if file_id not in file_ids:
            problem(f"{where}: file {file_id} is not in the room's files")
    for account_id, room_id, message_id in REPLY.findall(body):
        target = messages_by_room.get(room_id, {}).get(message_id)
        if target is None:
            problem(f"{where}: reply target {room_id}-{message_id} not found")
        elif target["アカウントID"] != account_id:
            problem(f"{where}: reply aid {account_id} is not the target's sender {target['アカウントID']}")


def check_export() -> dict[str, int]:
    members = read_export_csv(EXPORT_DIR / "members" / "members.csv", HEADERS["members"])
    rooms: dict[str, dict] = {}
    for row in members:
        room = rooms.setdefault(row["ルームID"], {"path": row["ファイルパス"], "kind": row["種別"], "members": {}})
        room["members"][row["アカウントID"]] = row["名前"]
        if not is_digits(row["ルームID"], 9) or not is_digits(row["アカウントID"], 7):
            problem(f"members.csv: bad room or account ID in {row}")
        if not re.fullmatch(r"rooms/[a-z0-9]{2}/" + row["ルームID"], row["ファイルパス"]):
            problem(f"members.csv: bad file path {row['ファイルパス']}")
        if row["種別"] not in ("グループ", "ダイレクト") or row["権限"] not in ("管理者", "メンバー", "閲覧のみ"):
            problem(f"members.csv: bad room type or role in {row}")

    on_disk = {path.name: path for path in (EXPORT_DIR / "rooms").glob("*/*") if path.is_dir()}
    if set(on_disk) != set(rooms):
        problem(f"room folders {sorted(on_disk)} do not match members.csv rooms {sorted(rooms)}")

    tables = {}
    for room_id, room in rooms.items():
        folder = EXPORT_DIR / room["path"]
        tables[room_id] = {name: read_export_csv(folder / name, HEADERS[name]) for name in ROOM_FILES}
    messages_by_room = {room_id: {row["メッセージID"]: row for row in t["messages.csv"]} for room_id, t in tables.items()}
    known_accounts = {account for room in rooms.values() for account in room["members"]}

    all_ids: list[str] = []
    senders: set[str] = set()
    mentions: list[tuple[str, str]] = []
    counts = {"messages": 0, "edited": 0, "deleted": 0, "log_rows": 0, "files": 0, "unlogged_changes": 0}
    for room_id, table in tables.items():
        messages = messages_by_room[room_id]
        file_ids = {row["ファイルID"] for row in table["files.csv"]}
        logs_by_message: dict[str, list[dict]] = {}
        for row in table["message_logs.csv"]:
            logs_by_message.setdefault(row["メッセージID"], []).append(row)

        for row in table["messages.csv"]:
            message_id, sent, updated, body = row["メッセージID"], row["送信日時"], row["更新日時"], row["本文"]
            where = f"room {room_id} message {message_id}"
            all_ids.append(message_id)
            senders.add(row["アカウントID"])
            if not is_digits(message_id, 19) or not is_digits(row["アカウントID"], 7):
                problem(f"{where}: bad message or account ID")
            if not is_time(sent) or (updated and (not is_time(updated) or updated < sent)):
                problem(f"{where}: bad send time {sent!r} or update time {updated!r}")
            check_links(where, body, file_ids, messages_by_room)
            for account_id in MENTION.findall(CODE_BLOCK.sub("", body)):
                mentions.append((where, account_id))

            logs = logs_by_message.get(message_id, [])
            deleted = body == "[delete]"
            counts["messages"] += 1
            counts["deleted"] += deleted
            counts["edited"] += any(log["操作"] == "編集" for log in logs) or (bool(updated) and not deleted)
            if deleted and not any(log["操作"] == "削除" for log in logs):
                if updated and updated >= HISTORY_CUTOFF:
                    problem(f"{where}: deleted at {updated} but no 削除 log row")
                counts["unlogged_changes"] += 1
            elif updated and not logs:
                if updated >= HISTORY_CUTOFF:
                    problem(f"{where}: updated at {updated} but no log rows")
                counts["unlogged_changes"] += 1

        for log in table["message_logs.csv"]:
            where = f"room {room_id} log of {log['メッセージID']}"
            counts["log_rows"] += 1
            message = messages.get(log["メッセージID"])
            if message is None:
                problem(f"{where}: message not found")
                continue
            if log["操作"] not in ("編集", "削除") or not is_time(log["操作日時"]) or log["操作日時"] < message["送信日時"]:
                problem(f"{where}: bad action {log['操作']!r} or time {log['操作日時']!r}")
            if log["操作日時"] < HISTORY_CUTOFF:
                problem(f"{where}: log row before the history cutoff")
            if log["操作"] == "削除" and message["本文"] != "[delete]":
                problem(f"{where}: 削除 row but the message body is not [delete]")
            check_links(where, log["操作前の本文"], file_ids, messages_by_room)

        for row in table["files.csv"]:
            counts["files"] += 1
            where = f"room {room_id} file {row['ファイルID']}"
            message = messages.get(row["メッセージID"])
            if not is_digits(row["ファイルID"], 9, 10) or not row["サイズ"].isdigit():
                problem(f"{where}: bad file ID or size")
            if message is None or message["アカウントID"] != row["アカウントID"]:
                problem(f"{where}: message not found or uploader differs")
            if not row["URL"].endswith("file_id=" + row["ファイルID"]):
                problem(f"{where}: URL does not name the file")

        room_members = {row["アカウントID"]: row["名前"] for row in table["members.csv"]}
        if room_members != rooms[room_id]["members"]:
            problem(f"room {room_id}: members.csv differs from members/members.csv")

    if len(all_ids) != len(set(all_ids)):
        problem("export: message IDs are not unique")
    # A mention outside code must name someone who is a member or has posted; [To:1] in code is not a mention.
    for where, account_id in mentions:
        if account_id not in known_accounts | senders:
            problem(f"{where}: mention of unknown account {account_id}")
    unlisted = sorted(senders - known_accounts)
    print(f"export: {len(rooms)} rooms, {counts['messages']} messages, {counts['edited']} edited, "
          f"{counts['deleted']} deleted, {counts['log_rows']} log rows, {counts['files']} files, "
          f"{counts['unlogged_changes']} changes without log rows, senders in no members file: {unlisted}")
    return counts


def check_api() -> None:
    rooms = json.loads((API_DIR / "rooms.json").read_text(encoding="utf-8"))
    room_fields = {"room_id", "name", "type", "role", "sticky", "unread_num", "mention_num", "mytask_num",
                   "message_num", "file_num", "task_num", "icon_path", "last_update_time"}
    member_fields = {"account_id", "role", "name", "chatwork_id", "organization_id", "organization_name",
                     "department", "avatar_image_url"}
    all_ids: list[str] = []
    mentioned_names: dict[int, set[str]] = {}
    blank_senders: set[int] = set()
    total = 0
    for room in rooms:
        if set(room) != room_fields or not isinstance(room["room_id"], int):
            problem(f"rooms.json: bad room object {room}")
            continue
        folder = API_DIR / "rooms" / str(room["room_id"])
        for member in json.loads((folder / "members.json").read_text(encoding="utf-8")):
            if set(member) != member_fields or member["role"] not in ("admin", "member", "readonly"):
                problem(f"{folder.name}/members.json: bad member {member}")

        messages = []
        for path in sorted(folder.glob("messages*.json")):
            messages += json.loads(path.read_text(encoding="utf-8"))
        jsonl = folder / "messages.jsonl"
        if jsonl.exists():
            messages += [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
        by_id = {message["message_id"]: message for message in messages}
        files = json.loads((folder / "files.json").read_text(encoding="utf-8"))
        file_ids = {str(shared["file_id"]) for shared in files}
        total += len(messages)
        if room["message_num"] != len(messages) or room["file_num"] != len(files):
            problem(f"room {room['room_id']}: message_num or file_num does not match the files")

        for message in messages:
            where = f"api room {room['room_id']} message {message.get('message_id')}"
            all_ids.append(message["message_id"])
            account = message["account"]
            if not (isinstance(message["message_id"], str) and is_digits(message["message_id"], 19)):
                problem(f"{where}: message_id is not a 19-digit string")
            if set(account) != {"account_id", "name", "avatar_image_url"}:
                problem(f"{where}: bad account object")
            if not isinstance(message["send_time"], int) or not isinstance(message["update_time"], int):
                problem(f"{where}: times are not integers")
            elif message["update_time"] and message["update_time"] < message["send_time"]:
                problem(f"{where}: update_time before send_time")
            if account["name"] == "":
                blank_senders.add(account["account_id"])
            for account_id, name in re.findall(r"\[To:(\d+)\]([^\[\n]*?)さん", message["body"]):
                mentioned_names.setdefault(int(account_id), set()).add(name)
            for file_id in DOWNLOAD.findall(message["body"]) + PREVIEW.findall(message["body"]):
                if file_id not in file_ids:
                    problem(f"{where}: file {file_id} not in files.json")
            for _, room_id, message_id in REPLY.findall(message["body"]):
                if room_id != str(room["room_id"]) or message_id not in by_id:
                    problem(f"{where}: reply target {room_id}-{message_id} not found")
        for shared in files:
            if shared["message_id"] not in by_id:
                problem(f"api room {room['room_id']}: file {shared['file_id']} names an unknown message")

    if len(all_ids) != len(set(all_ids)):
        problem("api: message IDs are not unique")
    recoverable = {account_id: mentioned_names.get(account_id) for account_id in blank_senders}
    if not blank_senders or not all(recoverable.values()):
        problem(f"api: empty-name senders {recoverable} lack a [To:id]名前さん mention")
    print(f"api: {len(rooms)} rooms, {total} messages, names recoverable for empty-name senders: {recoverable}")


def main() -> int:
    check_export()
    check_api()
    total_bytes = sum(path.stat().st_size for path in ROOT.rglob("*") if path.is_file() and "__pycache__" not in path.parts)
    print(f"sample-data size: {total_bytes} bytes")
    if total_bytes > MAX_TOTAL_BYTES:
        problem(f"sample-data is {total_bytes} bytes, more than {MAX_TOTAL_BYTES}")
    for text in problems:
        print("PROBLEM:", text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
