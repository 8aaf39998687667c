"""The self-contained HTML report and its heatmap, on reports built by hand."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest

from compare import Document, PairKind, Span
from compare.model import DocumentReport, PairReport, PassageFamily, PassageMember, Report, SharedPassage
from compare.report_html import excerpt, heatmap_svg, ink_on, percent, report_to_html, shade, share

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def three_documents() -> tuple[Report, list[Document]]:
    """Three documents: a's first sentence is in b (all of b), c shares nothing."""
    texts = ["Shared words here. Own words of a.", "Shared words here.", f"Nothing alike {HOSTILE}."]
    documents = [Document("a.txt", texts[0]), Document(f"b {HOSTILE}.txt", texts[1]), Document("c.txt", texts[2])]
    passage = SharedPassage(Span(0, 18), Span(0, 18), PairKind.VERBATIM, 1.0, family=0)
    pair = PairReport(0, 1, a_share=18 / 34, b_share=1.0, passages=(passage,))
    reports = (
        DocumentReport(0, documents[0].name, 34, 34, 18, 18 / 34, (Span(0, 18),), (), (1,)),
        DocumentReport(1, documents[1].name, 18, 18, 18, 1.0, (Span(0, 18),), (), (0,)),
        DocumentReport(2, documents[2].name, len(texts[2]), len(texts[2]), 0, 0.0, (), (Span(0, 5),), ()),
    )
    family = PassageFamily((PassageMember(0, Span(0, 18)), PassageMember(1, Span(0, 18))), 2, 18, 1.0)
    return Report(reports, (pair,), (family,)), documents


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)


def test_share_reads_row_document_found_in_column_document() -> None:
    report, _ = three_documents()
    assert share(report, 0, 1) == pytest.approx(18 / 34)
    assert share(report, 1, 0) == 1.0
    assert share(report, 0, 2) == 0.0 and share(report, 2, 1) == 0.0


def test_shades_darken_with_the_share() -> None:
    def darkness(colour: str) -> int:
        return -sum(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    values = [0.0, 0.1, 0.5, 0.9, 1.0]
    assert [darkness(shade(v)) for v in values] == sorted(darkness(shade(v)) for v in values)
    assert shade(-1) == shade(0) and shade(2) == shade(1)
    assert percent(0.999) == "100%" and percent(0.004) == "<1%"


def test_heatmap_cells_link_where_something_is_shared() -> None:
    report, _ = three_documents()
    svg = heatmap_svg(report, link=lambda row, column: f"/compare?a={row}&b={column}")
    # Two directed cells share something (a→b, b→a); the others are not links.
    assert sorted(re.findall(r'href="/compare\?a=(\d)&amp;b=(\d)"', svg)) == [("0", "1"), ("1", "0")]
    assert "53% of a.txt is found in b " in svg and "100% of b " in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg


def test_html_report_is_self_contained_and_escaped() -> None:
    report, documents = three_documents()
    page = report_to_html(report, documents)
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert "svg" in parsed.tags and "style" in parsed.tags
    assert all(not (name in ("src", "href") and value and "//" in value) for name, value in parsed.attributes)
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Shared words here." in page  # the family member's excerpt
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp and "default-src 'none'" in csp.group(1) and "script-src" not in csp.group(1)


def test_html_report_refuses_documents_that_do_not_match() -> None:
    report, documents = three_documents()
    with pytest.raises(ValueError, match="covers 3 documents but 2"):
        report_to_html(report, documents[:2])


def test_large_reports_show_the_most_reused_documents_in_the_matrix() -> None:
    count = 70
    reports = tuple(DocumentReport(i, f"d{i}", 10, 10, i % 10, (i % 10) / 10, (), (), ()) for i in range(count))
    svg = heatmap_svg(Report(reports, (), ()), limit=20)
    assert svg.count('class="row-label"') == 20
    page = report_to_html(Report(reports, (), ()), [Document(f"d{i}", "x" * 10) for i in range(count)])
    assert "most reused of 70 documents" in page


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_printed_value_stands_out_from_its_shade() -> None:
    worst = min(contrast(ink_on(shade(step / 100)), shade(step / 100)) for step in range(101))
    assert worst >= 4.5
    svg = heatmap_svg(three_documents()[0])
    for fill, ink in re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"[^>]*/><text [^>]*fill="(#[0-9a-f]{6})"', svg):
        assert contrast(fill, ink) >= 4.5, (fill, ink)


def test_the_heatmap_names_its_columns_and_rows() -> None:
    report, documents = three_documents()
    svg = heatmap_svg(report)
    columns = re.findall(r'<text class="col-label"[^>]*><title>[^<]*</title>([^<]*)</text>', svg)
    rows = re.findall(r'<text class="row-label"[^>]*><title>[^<]*</title>([^<]*)</text>', svg)
    shortened = documents[1].name[:29] + "…"  # names are cut to 30 characters; the tooltip holds the whole
    assert columns == rows == ["a.txt", escape(shortened), "c.txt"]


def test_excerpts_leave_page_noise_out() -> None:
    text = "Breaking news\n\nShare this article\n\nThe river rose in the night.\n\nPage 2 of 7\n\nNobody slept."
    noise = [Span(text.index("Share"), text.index("Share") + 18), Span(text.index("Page"), text.index("Page") + 11)]
    whole = excerpt(text, Span(0, len(text)), leave_out=noise)
    assert whole == "Breaking news The river rose in the night. Nobody slept."
    assert excerpt(text, Span(15, text.index("river") + 5), leave_out=noise) == "The river"
