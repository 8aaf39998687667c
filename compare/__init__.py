"""compare: align near-duplicate documents passage by passage, with word-level differences.

>>> from compare import Document, compare_documents
>>> result = compare_documents(Document("a", "The cat sat. It was warm."),
...                            Document("b", "It was warm. The cat sat down."))
>>> [(p.kind.value, p.moved) for p in result.pairs]
[('variant', True), ('verbatim', False)]
"""

from compare.align import compare_documents
from compare.apparatus import Entry, Reading, StatementApparatus, apparatus
from compare.families import find_families
from compare.model import (
    TIME_BUDGET_S,
    Comparison,
    DiffOp,
    Document,
    DocumentReport,
    Family,
    FamilySet,
    Granularity,
    OpTag,
    Options,
    Pair,
    PairKind,
    PairReport,
    Passage,
    PassageFamily,
    PassageMember,
    ReadLimits,
    Rendering,
    Report,
    Segment,
    Segmentation,
    SegmentRole,
    SharedPassage,
    Span,
)
from compare.multialign import Cell, Column, MultipleAlignment, align_renderings
from compare.reading import (
    EXTRACTED_FORMATS,
    InputTooLargeError,
    UnsupportedFormatError,
    decode,
    extract,
    read_document,
    supported_extensions,
)
from compare.render import comparison_to_json, comparison_to_text
from compare.render_report import HOW_SHARES_ARE_COUNTED, report_to_csv, report_to_json
from compare.render_variants import families_to_csv, families_to_json, families_to_tei, families_to_text
from compare.report import build_report
from compare.report_html import excerpt, heatmap_legend_svg, heatmap_svg, report_to_html
from compare.segment import estimate_segments, segment
from compare.variants import FamilyVariants, RenderingVariants, find_variants, statement_variants
from compare.worddiff import diff_words
from compare.workers import (
    KILL_MARGIN_S,
    Cancelled,
    DeadlineExceeded,
    OutOfMemory,
    PoolBusy,
    Progress,
    WorkerFailed,
    WorkerPool,
)

__all__ = [
    "EXTRACTED_FORMATS",
    "HOW_SHARES_ARE_COUNTED",
    "KILL_MARGIN_S",
    "TIME_BUDGET_S",
    "Cancelled",
    "Cell",
    "Column",
    "Comparison",
    "DeadlineExceeded",
    "DiffOp",
    "Document",
    "DocumentReport",
    "Entry",
    "Family",
    "FamilySet",
    "FamilyVariants",
    "Granularity",
    "InputTooLargeError",
    "MultipleAlignment",
    "OpTag",
    "Options",
    "OutOfMemory",
    "Pair",
    "PairKind",
    "PairReport",
    "Passage",
    "PassageFamily",
    "PassageMember",
    "PoolBusy",
    "Progress",
    "ReadLimits",
    "Reading",
    "Rendering",
    "RenderingVariants",
    "Report",
    "Segment",
    "SegmentRole",
    "Segmentation",
    "SharedPassage",
    "Span",
    "StatementApparatus",
    "UnsupportedFormatError",
    "WorkerFailed",
    "WorkerPool",
    "align_renderings",
    "apparatus",
    "build_report",
    "compare_documents",
    "comparison_to_json",
    "comparison_to_text",
    "decode",
    "diff_words",
    "estimate_segments",
    "excerpt",
    "extract",
    "families_to_csv",
    "families_to_json",
    "families_to_tei",
    "families_to_text",
    "find_families",
    "find_variants",
    "heatmap_legend_svg",
    "heatmap_svg",
    "read_document",
    "report_to_csv",
    "report_to_html",
    "report_to_json",
    "segment",
    "statement_variants",
    "supported_extensions",
]
