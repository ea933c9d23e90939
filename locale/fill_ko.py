"""Fill empty msgstr entries of locale/ko/LC_MESSAGES/django.po from ko_strings.KO.

Run after ``python manage.py makemessages -l ko -l en --no-location --no-obsolete`` (no
source locations: they churn on every edit and make merges conflict), then
``python manage.py compilemessages``.
Prints the source strings still without a translation.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ko_strings import KO  # noqa: E402

PO = Path(__file__).parent / "ko" / "LC_MESSAGES" / "django.po"


_STRING = re.compile(r'^(?:msgid|msgid_plural|msgstr(?:\[\d\])?)?\s*"(.*)"$')


def _text(lines: list[str]) -> str:
    found = (_STRING.match(ln) for ln in lines)
    return "".join(m.group(1) for m in found if m).replace('\\"', '"')


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _unfuzzy(line: str) -> str:
    """Drop the fuzzy flag from a flags line ("#, fuzzy, python-format")."""
    if not line.startswith("#,"):
        return line
    flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else "#,"


def fill() -> list[str]:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    missing, out = [], []
    for block in blocks:
        lines = block.split("\n")
        keys = [i for i, ln in enumerate(lines) if re.match(r"^(msgid|msgid_plural|msgstr)", ln)]
        if not keys:
            out.append(block)
            continue
        parts: dict[str, list[str]] = {}
        for n, i in enumerate(keys):
            end = keys[n + 1] if n + 1 < len(keys) else len(lines)
            parts[lines[i].split(" ", 1)[0]] = lines[i:end]
        msgid = _text(parts["msgid"])
        if not msgid:
            out.append(block)
            continue
        head = lines[: keys[0]]
        if "msgid_plural" in parts:
            plural = _text(parts["msgid_plural"])
            ko = KO.get((msgid, plural))
            strs = (
                [f"msgstr[0] {_quote(ko[0])}"]
                if ko
                else [ln for k, v in parts.items() if k.startswith("msgstr") for ln in v]
            )
            body = parts["msgid"] + parts["msgid_plural"] + strs
        else:
            current = _text(parts["msgstr"])
            ko = KO.get(msgid)
            # A fuzzy msgstr is makemessages' guess from a similar string, not a translation.
            guessed = any(ln.startswith("#,") and "fuzzy" in ln for ln in head)
            body = parts["msgid"] + (
                [f"msgstr {_quote(ko)}"] if ko and (guessed or not current) else parts["msgstr"]
            )
        if not ko:
            missing.append(msgid)
        if ko:
            head = [_unfuzzy(ln) for ln in head if not ln.startswith("#|")]
            head = [ln for ln in head if ln != "#,"]
        out.append("\n".join(head + body))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    return missing


if __name__ == "__main__":
    for m in fill():
        print("untranslated:", m)
