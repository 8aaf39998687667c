from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import Comparison, Document, OpTag, Options, PairKind, compare_documents
from compare.candidates import text_segments
from compare.links import Link
from compare.parallel import absorb_orphans
from compare.scoring import fit_scorer
from compare.segment import segment
from compare.sparse import MAX_CLAUSE_PARTNERS


def pair_texts(result: Comparison) -> list[tuple[str, str]]:
    text_a, text_b = result.a.document.text, result.b.document.text
    return [(p.a.slice(text_a), p.b.slice(text_b)) for p in result.pairs]


def rebuilt(result: Comparison) -> None:
    """Every pair's ops tile both of its spans exactly."""
    for pair in result.pairs:
        assert pair.ops[0].a.start == pair.a.start and pair.ops[-1].a.end == pair.a.end
        assert pair.ops[0].b.start == pair.b.start and pair.ops[-1].b.end == pair.b.end
        for x, y in pairwise(pair.ops):
            assert x.a.end == y.a.start and x.b.end == y.b.start


def test_seed_variant_pairs_with_its_counterpart(seeds: dict[str, Document]) -> None:
    """The issue's example: 002 and 004 word the same statement slightly differently."""
    result = compare_documents(seeds["002"], seeds["004"])
    wanted_a = ("China has become a responsible major country with more international influence, innovative "
                "leadership, and moral appeal")
    wanted_b = ("China has become a responsible major country with more international influence, innovation "
                "leadership and moral appeal")
    matches = [(a, b) for a, b in pair_texts(result) if wanted_a in a and wanted_b in b]
    assert len(matches) == 1
    pair = next(p for p in result.pairs if wanted_a in p.a.slice(seeds["002"].text))
    assert pair.kind is PairKind.VARIANT and pair.score > 0.8
    changed = {(op.a.slice(seeds["002"].text), op.b.slice(seeds["004"].text))
               for op in pair.ops if op.tag is not OpTag.EQUAL}
    assert ("innovative", "innovation") in changed
    rebuilt(result)


def test_seed_translations_pair_real_statements_not_shared_vocabulary(seeds: dict[str, Document]) -> None:
    result = compare_documents(seeds["000"], seeds["004"])
    pairs = pair_texts(result)
    # 000's "evolved into a responsible major country" renders 004's "has become a responsible major country".
    assert any("evolved into a responsible major country" in a and "has become a responsible major country" in b
               for a, b in pairs)
    # 000 and 001 report different events: the topical overlap is not a run of correspondences.
    unrelated = compare_documents(seeds["000"], seeds["001"])
    assert len(unrelated.pairs) <= 2
    assert unrelated.shared_share("a") < 0.3


def test_seed_summary_sentence_pairs_with_each_sentence_it_shares_a_clause_with(seeds: dict[str, Document]) -> None:
    """002 condenses 004: one of its sentences restates clauses that 004 says in two places."""
    result = compare_documents(seeds["002"], seeds["004"])
    looking = [b for a, b in pair_texts(result) if a.startswith("Looking to the future, the meeting highlighted")]
    assert any(b.startswith("Looking forward to the future, China's development is facing") for b in looking)
    assert any("shape a new pattern of China's relations with the world" in b for b in looking)
    # The clause "significantly enhanced the strategic autonomy and initiative of China's diplomacy"
    # ends a long 004 sentence about something else; the pair is partial and out of order.
    autonomy = [p for p in result.pairs
                if p.a.slice(seeds["002"].text).startswith("The strategic autonomy and initiative")
                and "significantly enhanced the strategic autonomy" in p.b.slice(seeds["004"].text)]
    assert autonomy and autonomy[0].kind is PairKind.PARTIAL and autonomy[0].moved


def test_seed_sentence_ending_a_clause_later_pairs_with_that_clause(seeds: dict[str, Document]) -> None:
    """004 reports attendance and speech in one sentence; 002 says the speech in the first clause of the next."""
    result = compare_documents(seeds["002"], seeds["004"])
    speech = [a for a, b in pair_texts(result) if "attended the meeting and delivered important speeches" in b]
    assert len(speech) == 1
    assert speech[0].endswith("Xi Jinping delivered an important speech at the meeting,")


def test_seed_sentence_after_a_reworded_pair_pairs_past_a_heading(seeds: dict[str, Document]) -> None:
    """000's last sentence renders the 004 sentence after the counterpart of the one before, past a heading."""
    result = compare_documents(seeds["000"], seeds["004"])
    multipolar = [b for a, b in pair_texts(result) if a.startswith("An equal and orderly multipolar world rejects")]
    assert len(multipolar) == 1 and multipolar[0].startswith("A multipolar world in an equal and orderly manner")


def test_seed_stock_phrase_heading_is_not_a_counterpart(seeds: dict[str, Document]) -> None:
    """004's heading is only the stock phrase that 002's sentence contains: shared vocabulary, not a statement."""
    result = compare_documents(seeds["002"], seeds["004"])
    assert not [a for a, b in pair_texts(result)
                if b.strip() == "Major country diplomacy with Chinese characteristics in the new era"]


def test_sentence_sharing_clauses_with_two_places_pairs_with_both() -> None:
    a = Document("a", "The ferry company went bankrupt in March. Looking ahead, the council promised cheaper "
                      "tickets for the island ferry, and it vowed to rebuild the flooded granary before the "
                      "spring rains. The harbour froze in January.")
    b = Document("b", "Cheaper tickets for the island ferry were promised by the council. Farmers sold their sheep "
                      "at the autumn fair. Taxes will not rise this year, the treasurer said, the town will rebuild "
                      "the flooded granary before the spring rains, and the museum reopens in May.")
    pairs = pair_texts(compare_documents(a, b))
    both = [y for x, y in pairs if x.startswith("Looking ahead")]
    assert len(both) == 2 and both[0].startswith("Cheaper tickets") and both[1].startswith("Taxes will not rise")
    assert compare_documents(a, b, Options(clause_min_score=1.0)).pairs != compare_documents(a, b).pairs


def test_a_clause_repeated_across_a_document_pairs_with_few_of_its_copies() -> None:
    clause = "the town will rebuild the flooded granary before the spring rains"
    b_sentences = ["Taxes will not rise this year, the treasurer said, {c}, and the museum reopens in May.",
                   "The mayor spoke briefly, {c}, while the choir sang outside.",
                   "Fishermen complained about quotas, {c}, and the ferry was late again.",
                   "After a long debate, {c}, although nobody agreed on the cost.",
                   "In other news the library closed early, {c}, said the clerk.",
                   "A storm is expected, {c}, and schools may close on Friday."]
    fillers = ["Farmers sold their sheep at the autumn fair.", "The harbour froze in January.",
               "A new school opened near the mill.", "The bridge was closed for repairs.",
               "Bees swarmed in the orchard.", "The bakery raised its prices."]
    a = Document("a", "The ferry company went bankrupt in March. Looking ahead, the council promised cheaper "
                      f"tickets, and {clause}. Nobody remembers such a wet winter.")
    b = Document("b", " ".join(f"{filler} {sentence.format(c=clause)}"
                               for filler, sentence in zip(fillers, b_sentences, strict=True)))
    partners = [y for x, y in pair_texts(compare_documents(a, b)) if x.startswith("Looking ahead")]
    assert 1 <= len(partners) <= MAX_CLAUSE_PARTNERS < len(b_sentences)
    assert all(clause in y for y in partners)


def test_page_noise_is_never_aligned(seeds: dict[str, Document]) -> None:
    result = compare_documents(seeds["000"], seeds["004"])
    for a, b in pair_texts(result):
        assert "Type to search" not in a and "Read more" not in a and "Related Pages" not in b


def test_self_comparison_is_all_verbatim_in_order(seeds: dict[str, Document]) -> None:
    for doc in seeds.values():
        result = compare_documents(doc, doc)
        assert result.pairs and not result.a_only and not result.b_only
        assert all(p.kind is PairKind.VERBATIM and not p.moved and p.a == p.b for p in result.pairs)
        assert all(op.tag is OpTag.EQUAL for p in result.pairs for op in p.ops)


def test_swapping_documents_swaps_inserts_and_deletes(seeds: dict[str, Document]) -> None:
    forward = compare_documents(seeds["002"], seeds["004"])
    backward = compare_documents(seeds["004"], seeds["002"])
    assert sorted((p.a, p.b) for p in forward.pairs) == sorted((p.b, p.a) for p in backward.pairs)
    mirror = {OpTag.INSERT: OpTag.DELETE, OpTag.DELETE: OpTag.INSERT, OpTag.EQUAL: OpTag.EQUAL,
              OpTag.REPLACE: OpTag.REPLACE}
    by_spans = {(p.b, p.a): p for p in backward.pairs}
    for pair in forward.pairs:
        other = by_spans[(pair.a, pair.b)]
        assert [(mirror[o.tag], o.a, o.b) for o in pair.ops] == [(o.tag, o.b, o.a) for o in other.ops]


def test_moved_passage_is_found_and_flagged() -> None:
    first = "The harbour froze over during the long winter of that year. "
    middle = ("Fishermen waited for the ice to break before they could sail again. "
              "Merchants counted the days until the first ships returned. "
              "The town council debated whether to hire an icebreaker. ")
    moved = "A travelling circus performed in the square every Sunday afternoon."
    a = Document("a", first + moved + " " + middle)
    b = Document("b", first + middle + moved)
    result = compare_documents(a, b)
    flagged = [(p.a.slice(a.text), p.moved) for p in result.pairs]
    assert (moved, True) in flagged
    assert all(not is_moved for text, is_moved in flagged if text != moved)


def test_one_sentence_rendered_as_two_is_one_pair() -> None:
    a = Document("a", "The committee approved the budget for the new library and the city hall renovation.")
    b = Document("b", "The committee approved the budget for the new library. It also approved the city hall "
                      "renovation.")
    result = compare_documents(a, b)
    assert len(result.pairs) == 1
    assert result.pairs[0].b_segments == (0, 1)
    assert not result.a_only and not result.b_only


def test_one_sided_passages_are_reported(seeds: dict[str, Document]) -> None:
    extra = "An entirely new paragraph about tidal power stations in northern Scotland appears here."
    a = seeds["000"]
    b = Document("b", a.text + "\n\n" + extra)
    result = compare_documents(a, b)
    only_b = [result.b.segments[j].span.slice(b.text) for j in result.b_only]
    assert only_b == [extra]
    assert not result.a_only


def test_copied_passage_inside_unrelated_text_gets_exact_bounds() -> None:
    copied = ("the committee noted that the river had flooded the lower town three times in the past decade, "
              "each time destroying the granary and most of the stored grain")
    essay = Document("essay", "Cities grow where trade routes cross. My grandmother kept bees behind the mill. "
                     "Schools in the valley closed every August for the harvest. My own opinion is simple and "
                     "it is mine alone, held since I was a child growing up by the water with my cousins, "
                     + copied + " and so I think we must act now before the next spring flood. Nobody disagreed.")
    source = Document("source", "Archive note 1921. Record of the meeting: " + copied + ". End of record. "
                      "Minutes signed by the clerk. Weather was poor that spring.")
    result = compare_documents(essay, source)
    assert len(result.pairs) == 1
    pair = result.pairs[0]
    assert pair.a.slice(essay.text).startswith("the committee noted")
    assert pair.b.slice(source.text).startswith("the committee noted")
    assert pair.a.slice(essay.text).rstrip(".").endswith("stored grain")
    # Every word of the copy is equal; the sentence B ends there takes its full stop along, which A's
    # sentence (it goes on) does not have: that stop is the pair's one edit, so it is a variant, not verbatim.
    assert [(op.tag, op.b.slice(source.text)) for op in pair.ops if op.tag is not OpTag.EQUAL] == [(OpTag.INSERT, ".")]
    assert pair.kind is PairKind.VARIANT


def test_threshold_option_controls_what_pairs() -> None:
    a = Document("a", "The quick brown fox jumps over the lazy dog near the river bank.")
    b = Document("b", "A quick brown fox leapt across a sleeping dog by the stream.")
    strict = compare_documents(a, b, Options(min_score=0.95, moved_min_score=0.95, gap_min_score=0.95))
    loose = compare_documents(a, b, Options(min_score=0.1))
    assert not strict.pairs and len(loose.pairs) == 1


def test_time_budget_marks_result_degraded(seeds: dict[str, Document], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compare.align.CHARS_PER_SECOND", 10**15)  # let the input through the size check
    monkeypatch.setattr("compare.align.SEGMENTS_PER_SECOND", 10**15)  # and through the segment-count check
    result = compare_documents(seeds["002"], seeds["004"], Options(time_budget_s=1e-9))
    assert result.degraded and result.notes
    rebuilt(result)


def test_input_too_large_for_the_budget_is_refused_at_once() -> None:
    big = Document("big.txt", "word " * 200_000)
    with pytest.raises(ValueError, match=r"big\.txt.*time budget"):
        compare_documents(big, big, Options(time_budget_s=0.5))


def test_empty_and_whitespace_documents() -> None:
    result = compare_documents(Document("a", ""), Document("b", "   \n\n "))
    assert not result.pairs and not result.a_only and not result.b_only
    assert result.shared_share("a") == 0.0


WORDS = ["alpha", "beta", "gamma", "delta", "river", "stone", "light", "ember"]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=9).map(lambda ws: " ".join(ws).capitalize() + ".")


@settings(max_examples=40, deadline=None)
@given(st.lists(sentence, min_size=1, max_size=6), st.lists(sentence, min_size=1, max_size=6))
def test_pairs_are_spans_of_both_texts_and_rebuild(sents_a: list[str], sents_b: list[str]) -> None:
    a, b = Document("a", " ".join(sents_a)), Document("b", " ".join(sents_b))
    result = compare_documents(a, b)
    for pair in result.pairs:
        assert 0 <= pair.a.start < pair.a.end <= len(a.text)
        assert 0 <= pair.b.start < pair.b.end <= len(b.text)
        assert 0.0 <= pair.score <= 1.0
    rebuilt(result)


def test_joined_copied_run_is_diffed_sentence_by_sentence_and_tiles() -> None:
    sentences = [f"Sentence number {n} tells of the river, the mill and the bridge at Alder{n}." for n in range(8)]
    edited = [s.replace("mill", "old mill") if n % 3 == 0 else s for n, s in enumerate(sentences)]
    a = Document("a", "Unrelated opening line here. " + " ".join(sentences) + " A closing remark of mine.")
    b = Document("b", "Some other intro text. " + " ".join(edited) + " Different ending altogether.")
    result = compare_documents(a, b)
    long_pairs = [p for p in result.pairs if len(p.a_segments) > 1]
    assert long_pairs, "adjacent near-verbatim sentence pairs join into one passage"
    rebuilt(result)
    for pair in result.pairs:
        assert all(x.tag is not y.tag for x, y in pairwise(pair.ops))
    inserted = [op.b.slice(b.text) for p in result.pairs for op in p.ops if op.tag is OpTag.INSERT]
    assert inserted.count("old ") == 3 or inserted.count("old") == 3


PARABLE_A = ("The farmer went to the field at dawn. He planted barley in the north corner. Be not afraid, my friend. "
             "Every good harvest comes from patient work and careful hands. The rain fell in the evening. "
             "The children ran home laughing.")
PARABLE_B = ("At dawn the farmer walked to his field. In the north corner he sowed barley. Fear not, my friend; "
             "every fine harvest is born of patient labour and careful hands. Rain came down at evening. "
             "Laughing, the children ran home.")


def test_sentence_rendered_inside_a_neighbours_counterpart_is_aligned_to_its_clause() -> None:
    a, b = Document("a", PARABLE_A), Document("b", PARABLE_B)
    result = compare_documents(a, b)
    assert result.parallel and not result.a_only and not result.b_only
    pairs = {p.a.slice(a.text): p.b.slice(b.text) for p in result.pairs}
    assert pairs["Be not afraid, my friend."] == "Fear not, my friend;"
    assert pairs["Every good harvest comes from patient work and careful hands."].startswith("every fine harvest")


def test_sentence_one_draft_adds_stays_one_sided_in_a_parallel_text() -> None:
    added = "Prices of grain rose sharply across the whole province that year."
    a = Document("a", PARABLE_A.replace("The rain fell", added + " The rain fell"))
    b = Document("b", PARABLE_B.replace("Fear not, my friend; every", "Fear not, my friend. Every"))
    result = compare_documents(a, b)
    assert result.parallel
    assert [result.a.text_of(result.a.segments[i]) for i in result.a_only] == [added]


def test_orphans_join_the_link_after_them_from_the_far_end() -> None:
    """Four short sentences rendered inside the next link's long sentence all join it, not just the last."""
    a = Document("a", "The farmer went to the field at dawn. Let the man on the roof not go down. Let him not go "
                      "into the house. Let the man in the field not turn back. Let him not fetch his coat. Pray "
                      "that it may not be winter.")
    b = Document("b", "At dawn the farmer walked to his field. And he upon the roof, let him not come down, nor enter "
                      "the house; and he in the field, let him not turn back, to take up his coat; and pray ye that "
                      "it be not in winter.")
    seg_a, seg_b = segment(a), segment(b)
    scorer = fit_scorer([seg_a, seg_b])
    links = [Link((0,), (0,), 0.3), Link((5,), (1,), 0.3)]
    grown = absorb_orphans(links, scorer, text_segments(seg_a), text_segments(seg_b), Options())
    assert [(link.a, link.b) for link in grown] == [((0,), (0,)), ((1, 2, 3, 4, 5), (1,))]


def test_weak_run_is_realigned_but_verbatim_neighbours_keep_their_pairs() -> None:
    text = "One sentence here. Two sentence here. Three is new.\n\nFour stays the same."
    other = "One sentence here. Two sentence here. Three is old.\n\nFour stays the same."
    result = compare_documents(Document("a", text), Document("b", other))
    assert result.parallel
    assert [(p.a.slice(text), p.kind) for p in result.pairs] == [
        ("One sentence here. Two sentence here.", PairKind.VERBATIM),  # a copied run: one passage
        ("Three is new.", PairKind.PARTIAL), ("Four stays the same.", PairKind.VERBATIM)]


def test_boundary_a_clause_off_between_two_links_is_realigned_clause_by_clause() -> None:
    """B moves the watering clause into the next sentence: the weak link's run is realigned by clauses."""
    a = Document("a", "The farmer went to the field at dawn. He planted barley in the north corner; and he watered "
                      "the rows. Then he sat beneath the old oak tree. The rain fell in the evening.")
    b = Document("b", "At dawn the farmer walked to his field. In the north corner he sowed barley. He gave water to "
                      "the rows; and under the ancient oak he rested. Rain came down at evening.")
    result = compare_documents(a, b)
    assert result.parallel
    pairs = {p.a.slice(a.text): p.b.slice(b.text) for p in result.pairs}
    assert pairs["and he watered the rows."] == "He gave water to the rows;"
    assert pairs["Then he sat beneath the old oak tree."] == "and under the ancient oak he rested."


SUMMIT_OPENED = ("The water summit opened in Geneva on Monday, with the foreign ministers of nine river states "
                 "and the chair of the basin commission in attendance.")
SUMMIT_SPEECH = ("The chair delivered a long speech at the summit, where she urged finance ministries to pledge "
                 "fresh money for irrigation canals, praised the engineers who rebuilt the northern dams after "
                 "the floods of the previous spring, and warned of droughts ahead.")
SUMMIT_REPORT = ("Foreign ministers of nine river states and the chair of the basin commission attended the water "
                 "summit in Geneva on Monday and heard the chair deliver a long speech.")


@pytest.mark.parametrize("swapped", [False, True])
def test_sentence_ending_a_clause_later_takes_only_that_clause_of_the_next(swapped: bool) -> None:
    a = Document("a", f"{SUMMIT_OPENED} {SUMMIT_SPEECH} Farmers downstream protested against the quotas outside "
                      "the hall. Police closed two bridges for the afternoon.")
    b = Document("b", f"Observers expect a difficult week of talks. {SUMMIT_REPORT} Several delegations left early "
                      "to catch flights home. Snow fell on the lake.")
    result = compare_documents(b, a) if swapped else compare_documents(a, b)
    texts = [(y, x) if swapped else (x, y) for x, y in pair_texts(result)]
    assert texts == [(f"{SUMMIT_OPENED} The chair delivered a long speech at the summit,", SUMMIT_REPORT)]
    rebuilt(result)


def test_sentence_starting_a_clause_earlier_takes_only_that_clause_of_the_one_before() -> None:
    a = Document("a", "Prices of rice rose in the markets of the delta. Farmers downstream protested for hours against "
                      "the quotas and the closing of the old canals near the border, as the chair of the basin "
                      "commission delivered a long speech. Foreign ministers of nine river states attended the water "
                      "summit in Geneva on Monday. Police closed two bridges for the afternoon.")
    b = Document("b", "Observers expect a difficult week of talks. The basin commission's chair gave a long speech to "
                      "foreign ministers from nine river states who came to the Geneva water summit on Monday. "
                      "Snow fell on the lake.")
    result = compare_documents(a, b)
    assert [x for x, _ in pair_texts(result)] == [
        "as the chair of the basin commission delivered a long speech. Foreign ministers of nine river states "
        "attended the water summit in Geneva on Monday."]
    rebuilt(result)


def test_copied_clause_inside_a_larger_pair_keeps_the_pair() -> None:
    """Three sentences of A render one long sentence of B; one clause of them is copied word for word."""
    copied = ("the engineers will rebuild the northern dams and the old canals before the spring floods reach "
              "the lower valley")
    rendered = (f"The commission said {copied}. Each farming household is promised seed, loans for pumps and "
                "advice from the agricultural college in the capital. The treaty aims at lasting peace between "
                "the nine river states and an end to the quarrels over water that have lasted a century.")
    long_sentence = (f"According to the commission {copied}, while farmers are to get new seed, cheap credit for "
                     "pumps and free advice from the capital's agricultural college, and the nine river states hope "
                     "the treaty brings lasting peace and ends a century of quarrels over water.")
    a = Document("a", f"Prices of rice rose in the markets of the delta. {rendered} Police closed two bridges.")
    b = Document("b", f"Observers expect a difficult week of talks. {long_sentence} Snow fell on the lake.")
    result = compare_documents(a, b)
    assert pair_texts(result) == [(rendered, long_sentence)]
    rebuilt(result)


def test_seed_sentences_rendering_one_long_sentence_pair_whole(seeds: dict[str, Document]) -> None:
    """000 says in three sentences what 004 says in one, one clause of it almost word for word."""
    result = compare_documents(seeds["000"], seeds["004"])
    frontiers = [(a, b) for a, b in pair_texts(result) if "China aims to explore new frontiers" in a]
    assert len(frontiers) == 1
    a, b = frontiers[0]
    assert a.startswith("The focus will be on the central task") and "great modern socialist country" in a
    assert b.startswith("It is necessary to focus on the central tasks") and "open up a new realm" in b


AGREED_A = ("The ministers agreed that the nine river states will share the water of the basin by a fixed quota "
            "every summer.")
AGREED_B = ("Every summer the water of the basin is to be shared among the nine river states by a fixed quota, the "
            "ministers agreed.")
DAMS_A = "Dams upstream must release enough water for the fields of the delta."
DAMS_B = "Reservoirs higher up must let enough water through for the farms near the sea."


def _summary_pair(first_a: str, first_b: str, heading: str = "") -> Comparison:
    a = Document("a", f"Prices of rice rose in the markets of the delta. {first_a} {DAMS_A} Police closed two "
                      "bridges for the afternoon. A choir sang in the cathedral on Sunday. The old ferry was sold to "
                      "a museum. Tourists crowded the beaches in July.")
    b = Document("b", f"Observers expect a difficult week of talks. {first_b}\n\n{heading}{DAMS_B} Snow fell on the "
                      "lake. The football club hired a new coach. A bakery opened on the main square. Trains were "
                      "late all week.")
    return compare_documents(a, b)


@pytest.mark.parametrize("heading", ["", "Next steps\n\n"])
def test_sentence_after_a_reworded_pair_continues_the_rendering_at_the_lower_bar(heading: str) -> None:
    result = _summary_pair(AGREED_A, AGREED_B, heading)
    assert not result.parallel
    assert pair_texts(result) == [(AGREED_A, AGREED_B), (DAMS_A, DAMS_B)]
    assert result.pairs[1].kind is PairKind.PARTIAL and result.pairs[1].score < Options().min_score


def test_sentence_after_a_copied_one_needs_the_full_bar() -> None:
    """A copy that stops is followed by other text: it is no evidence for its neighbours."""
    result = _summary_pair(AGREED_A, AGREED_A)
    assert pair_texts(result) == [(AGREED_A, AGREED_A)]
