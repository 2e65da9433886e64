"""Chinese search over the published catalog: jieba tokens of names, keywords and guide text.

Each published item (by 实施编码) and bundle has one SearchEntry with three token columns (title,
keywords, body). A query is tokenised the same way; candidates are the entries sharing a token
(portable LIKE over ' token '), ranked by weighted token overlap. Names and keywords also carry
character bigrams, so a reordered or shortened phrase (老年公交卡 → 公交老年卡, 二手房过户 → 二手房交易过户)
still overlaps. Catalog publish services call search_index_refresh_item / _bundle; the command
rebuild_search_index rebuilds everything.
"""

import logging
import re
from dataclasses import dataclass

import jieba
from django.db import transaction
from django.db.models import Q

from onevisit.catalog.models import Bundle, ServiceItem, VersionStatus
from onevisit.portal.models import SearchEntry, SearchKind

jieba.setLogLevel(logging.WARNING)

# Words that say nothing about which service is meant.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 我 我们 要 想 需要 怎么 怎样 如何 哪里 在哪 在哪里 去 办 办理 申请 一件 一件事 事 件 "
    "一 个 吗 呢 啊 请问 可以 能 给".split()
)
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\w\u4e00-\u9fff]+")
MAX_QUERY_TOKENS = 16
WEIGHTS = {"title": 3.0, "keyword": 2.0, "body": 1.0}


def tokens(text: str, *, bigrams: bool = False) -> list[str]:
    """jieba search-mode tokens (and optional CJK character bigrams), lower-case, without stopwords."""
    text = (text or "").lower()
    out: list[str] = []
    seen: set[str] = set()

    def add(tok: str) -> None:
        tok = tok.strip()
        if tok and tok not in STOPWORDS and tok not in seen and _WORD.fullmatch(tok):
            seen.add(tok)
            out.append(tok)

    for tok in jieba.cut_for_search(text):
        add(tok)
    if bigrams:
        for run in _CJK.findall(text):
            for i in range(len(run) - 1):
                add(run[i : i + 2])
    return out


def _column(toks: list[str]) -> str:
    return " " + " ".join(toks) + " "


def _item_texts(item: ServiceItem) -> tuple[str, str, str]:
    materials = " ".join(item.materials.values_list("name", flat=True))
    body = " ".join([item.conditions, item.result_name, materials, item.get_item_type_display()])
    keywords = " ".join([item.keywords, item.department.name])
    return item.name, keywords, body


def _bundle_texts(bundle: Bundle) -> tuple[str, str, str]:
    codes = list(bundle.entries.values_list("item_code", flat=True))
    names = ServiceItem.objects.filter(implementation_code__in=codes, status=VersionStatus.PUBLISHED).values_list(
        "name", flat=True
    )
    return bundle.name, bundle.keywords, " ".join([bundle.description, *names])


def _store(kind: SearchKind, key: str, title: str, department: str, texts: tuple[str, str, str]) -> SearchEntry:
    title_text, keyword_text, body_text = texts
    entry, _ = SearchEntry.objects.update_or_create(
        kind=kind, key=key,
        defaults={
            "title": title, "department_name": department,
            "title_tokens": _column(tokens(title_text, bigrams=True)),
            "keyword_tokens": _column(tokens(keyword_text, bigrams=True)),
            "body_tokens": _column(tokens(body_text)),
        },
    )
    return entry


@transaction.atomic
def search_index_refresh_item(*, code: str) -> SearchEntry | None:
    """Index the published version of an item, or drop it from the index when none is published."""
    item = (
        ServiceItem.objects.select_related("department")
        .filter(implementation_code=code, status=VersionStatus.PUBLISHED).first()
    )
    if item is None:
        SearchEntry.objects.filter(kind=SearchKind.ITEM, key=code).delete()
        return None
    return _store(SearchKind.ITEM, code, item.name, item.department.name, _item_texts(item))


@transaction.atomic
def search_index_refresh_bundle(*, code: str) -> SearchEntry | None:
    bundle = Bundle.objects.select_related("lead_department").filter(code=code, status=VersionStatus.PUBLISHED).first()
    if bundle is None:
        SearchEntry.objects.filter(kind=SearchKind.BUNDLE, key=code).delete()
        return None
    return _store(SearchKind.BUNDLE, code, bundle.name, bundle.lead_department.name, _bundle_texts(bundle))


@transaction.atomic
def search_index_rebuild() -> int:
    SearchEntry.objects.all().delete()
    count = 0
    for code in ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).values_list("implementation_code", flat=True):
        count += search_index_refresh_item(code=code) is not None
    for code in Bundle.objects.filter(status=VersionStatus.PUBLISHED).values_list("code", flat=True):
        count += search_index_refresh_bundle(code=code) is not None
    return count


@dataclass(frozen=True)
class SearchResult:
    kind: str
    key: str
    title: str
    department_name: str
    score: float

    @property
    def kind_label(self) -> str:
        return SearchKind(self.kind).label

    @property
    def url(self) -> str:
        from django.urls import reverse

        if self.kind == SearchKind.BUNDLE:
            return reverse("catalog:bundle_guide", args=[self.key])
        return reverse("catalog:item_guide", args=[self.key])


def search(query: str, *, limit: int = 20, candidates: int = 500) -> list[SearchResult]:
    """Published items and bundles for a plain-words query, best first."""
    # Coverage is judged on the query's words (jieba's precise mode), each covered when it or one of
    # its search-mode parts matched; matching itself uses the search-mode tokens and bigrams.
    phrases = []
    for word in jieba.cut((query or "").lower()):
        word = word.strip()
        if word and word not in STOPWORDS and _WORD.fullmatch(word):
            phrases.append((word, {word, *tokens(word)}))
    phrases = phrases[:MAX_QUERY_TOKENS]
    total_len = sum(len(w) for w, _ in phrases)
    words = tokens(query)[:MAX_QUERY_TOKENS]
    wanted = tokens(query, bigrams=True)[:MAX_QUERY_TOKENS * 2]
    if not wanted:
        return []
    word_set = set(words)
    bigram_count = len([t for t in wanted if t not in word_set])
    match = Q()
    for tok in wanted:
        padded = f" {tok} "
        match |= Q(title_tokens__contains=padded) | Q(keyword_tokens__contains=padded) | Q(body_tokens__contains=padded)
    rows = SearchEntry.objects.filter(match).values_list(
        "kind", "key", "title", "department_name", "title_tokens", "keyword_tokens", "body_tokens"
    )[:candidates]
    compact_query = "".join(_WORD.findall(query.lower()))
    results = []
    for kind, key, title, department, title_toks, keyword_toks, body_toks in rows:
        score, matched_bigrams, hit = 0.0, 0, set()
        for tok in wanted:
            padded = f" {tok} "
            weight = (
                WEIGHTS["title"] if padded in title_toks
                else WEIGHTS["keyword"] if padded in keyword_toks
                else WEIGHTS["body"] if padded in body_toks
                else 0.0
            )
            if not weight:
                continue
            if tok in word_set:
                hit.add(tok)
                score += weight * (1 + len(tok) / 4)  # longer shared words say more than single characters
            else:
                matched_bigrams += 1
                score += weight * 0.5
        # Whole words carry the match; shared character pairs rescue reordered or misspelt phrases.
        coverage = max(
            sum(len(w) for w, parts in phrases if parts & hit) / total_len if total_len else 0.0,
            0.8 * matched_bigrams / bigram_count if bigram_count else 0.0,
        )
        if coverage < 0.3:
            continue
        if compact_query and compact_query in title.lower():
            score += 10
        results.append(SearchResult(kind, key, title, department, round(score * (0.5 + coverage), 3)))
    results.sort(key=lambda r: (-r.score, r.title))
    return results[:limit]
