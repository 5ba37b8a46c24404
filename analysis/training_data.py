"""The data the stance and tone models are trained and scored on, read from ``../shared/data/``.

- ``nlpcc``: NLPCC 2016 Task 4 Weibo training posts (FAVOR / AGAINST / NONE toward five targets);
- ``dev_comments``: comments_dev, labelled comments on seed plan 002 (``plan_targets`` gives the
  clause texts); ``is_frozen`` keeps about a third apart as a test part, never trained on;
- ``sentiment``: waimai_10k and smp2020 tone examples;
- ``citizen_messages``: messages of citizens to a city's government (no label used: they teach
  the genre model what text written to an authority reads like);
- ``office_labels``: an office's confirmed labels, exported with ``comments export SLUG --labels``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from analysis.models import STANCES
from analysis.text import normalize

__all__ = [
    "DATA",
    "Example",
    "citizen_messages",
    "dev_comments",
    "is_frozen",
    "nlpcc",
    "office_labels",
    "plan_targets",
    "sentiment",
    "training_sets",
]

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
TONES = ("pos", "neg", "neu")
NLPCC_LABEL = {"FAVOR": "favor", "AGAINST": "against", "NONE": "none"}
SMP_TONE = {"happy": "pos", "angry": "neg", "sad": "neg", "fear": "neg", "neural": "neu"}


@dataclass(frozen=True)
class Example:
    """One training or test text. ``stance`` is a level-one label (favor/against/none), a
    five-way stance or ""; ``tone`` is pos/neg/neu or ""."""

    id: str
    text: str
    target: str
    stance: str = ""
    tone: str = ""
    group: str = ""  # NLPCC target, "dev", or the sentiment corpus


def is_frozen(key: str) -> bool:
    """The frozen test part: about one key in three, by a hash (never tuned on)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()[0] % 3 == 0


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"未找到数据文件 {path}（应位于仓库旁的 ../shared/）")
    return path


def nlpcc(data: Path = DATA) -> list[Example]:
    """The NLPCC 2016 Weibo stance training posts (tab-separated, quoted newlines allowed)."""
    path = _require(data / "stance" / "nlpcc2016_weibo_stance_train.tsv")
    out: list[Example] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            label = NLPCC_LABEL.get((row.get("stance") or "").strip().upper())
            text = normalize(row.get("text") or "")
            target = (row.get("target") or "").strip()
            if label and text and target:
                out.append(Example(f"n{row['id']}", text, target, label, group=target))
    return out


_CN = "一二三四五六七八九十"
_PART = re.compile(r"^#*\s*([一二三四五六七八九十]+)、")
_SUB = re.compile(r"^#*\s*[(（]([一二三四五六七八九十]+)[)）]")
_BOX = re.compile(r"^#*\s*专栏\s*(\d+)")
_ANNEX = re.compile(r"^#*\s*附件\s*(\d+)")
_ITEM = re.compile(r"^(\d+)[.．、]")


def plan_targets(path: Path | None = None) -> dict[str, str]:
    """Text of every target of seed plan 002 (``document``, ``part:一``, ``sub:（七）``,
    ``item:（七）/1``, ``box:专栏2``, ``annex:1``), each up to 1,500 characters."""
    path = _require(path or SEEDS / "002_3c784148d53b7ccd.txt")
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    texts: dict[str, list[str]] = {}
    title = next((ln.lstrip("# ") for ln in lines if ln.startswith("#")), "")
    texts["document"] = [title]
    part = sub = box = item = annex = None
    for line in lines:
        plain = line.lstrip("# ")
        if m := _ANNEX.match(line):
            annex, part, sub, box, item = f"annex:{m.group(1)}", None, None, None, None
        elif m := _BOX.match(line):
            box, item = f"box:专栏{m.group(1)}", None
        elif m := _SUB.match(line):
            sub, box, item = f"sub:（{m.group(1)}）", None, None
        elif (m := _PART.match(line)) and all(c in _CN for c in m.group(1)):
            part, sub, box, item, annex = f"part:{m.group(1)}", None, None, None, None
        elif (m := _ITEM.match(line)) and sub and not box:
            item = f"item:{sub[4:]}/{m.group(1)}"
        for key in (annex, part, sub, box, item):
            if key and (key != sub or not box) and (key != part or not (sub or box)):
                texts.setdefault(key, []).append(plain)
    return {k: "".join(v)[:1500] for k, v in texts.items()}


def dev_comments(data: Path = DATA, targets: dict[str, str] | None = None) -> list[Example]:
    """comments_dev with its five-way stance and tone; ``target`` is the clause text."""
    path = _require(data / "comments_dev" / "plan002_comments.jsonl")
    aims = targets if targets is not None else plan_targets()
    out: list[Example] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        key = row["target"]
        sub = "sub:" + key[5:].split("/")[0] if key.startswith("item:") else key
        target = aims.get(key) or aims.get(sub) or aims.get("document", "")
        out.append(
            Example(
                row["id"], normalize(row["text"]), target, row["stance"], row["polarity"], "dev"
            )
        )
    return out


def sentiment(data: Path = DATA) -> list[Example]:
    """waimai_10k (1 → pos, 0 → neg) and smp2020 (happy → pos, angry/sad/fear → neg,
    neural → neu; surprise dropped: it is either)."""
    out: list[Example] = []
    with _require(data / "sentiment" / "waimai_10k.csv").open(encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            text = normalize(row.get("review") or "")
            if text:
                tone = "pos" if row.get("label") == "1" else "neg"
                out.append(Example(f"w{i}", text, "", tone=tone, group="waimai"))
    smp = _require(data / "sentiment" / "smp2020_ewect_virus_train.csv")
    with smp.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            tone = SMP_TONE.get(row.get("label") or "")
            text = normalize(row.get("content") or "")
            if tone and text:
                out.append(Example(f"s{row['id']}", text, "", tone=tone, group="smp2020"))
    return out


def citizen_messages(data: Path = DATA) -> list[Example]:
    """The 4,326 messages of ``citizen_messages/a3_hot_full4326.csv`` (their detail text)."""
    path = _require(data / "citizen_messages" / "a3_hot_full4326.csv")
    out: list[Example] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            text = normalize(row.get("留言详情") or "")
            if text:
                out.append(Example(f"c{row['留言编号']}", text, "", group="citizen"))
    return out


def office_labels(paths: Sequence[Path]) -> tuple[list[Example], list[Example]]:
    """An office's confirmed labels (``comments export SLUG --labels``): (comments with a
    confirmed stance, for both models; comments with a confirmed tone only, for tone)."""
    stanced: list[Example] = []
    toned: list[Example] = []
    for path in paths:
        for number, line in enumerate(_require(path).read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = normalize(str(row["text"]))
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{path} 第 {number + 1} 行不是有效的标注记录") from None
            stance = row.get("stance") if row.get("stance") in STANCES else ""
            tone = row.get("polarity") if row.get("polarity") in TONES else ""
            key = f"o{path.stem}:{row.get('draft', '')}:{row.get('id', number)}"
            example = Example(key, text, str(row.get("target") or ""), stance, tone, "dev")
            if text and stance:
                stanced.append(example)
            elif text and tone:
                toned.append(replace(example, group="office"))
    return stanced, toned


def training_sets(
    data: Path = DATA,
) -> tuple[list[Example], list[Example], list[Example], list[Example]]:
    """What the shipped model is trained on: every NLPCC post, the dev part of comments_dev,
    the non-frozen two thirds of the sentiment corpora and of the citizens' messages."""
    posts = nlpcc(data)
    comments = [e for e in dev_comments(data) if not is_frozen(e.id)]
    reviews = [e for e in sentiment(data) if not is_frozen(e.text)]
    others = [e for e in citizen_messages(data) if not is_frozen(e.id)]
    return posts, comments, reviews, others
