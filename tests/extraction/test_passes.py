"""Each pass alone: its input built by hand (text -> parse -> view), its output checked."""
from __future__ import annotations

import pytest

from app.extraction import thresholds as T
from app.extraction.claims import Candidate, Claim, taken_by
from app.extraction.document import DocView, looks_like_title, speechlike
from app.extraction.passes.assemble import assemble, drop_nested, in_headline, join_split_quotes
from app.extraction.passes.carry import context_speaker, is_teaser, resolve_and_carry
from app.extraction.passes.choice import SpeakerModel, candidate_features, choose_speakers
from app.extraction.passes.direct import byline, colon_intro, find_direct, frame_after
from app.extraction.passes.emit import emit, without_frame_comma
from app.extraction.passes.fragments import document_near, find_fragments, find_labelled_lines
from app.extraction.passes.reported import find_reported
from app.extraction.lexicon import cue_precision
from app.extraction.pipeline import find_candidates
from app.extraction.quotes import find_quotations
from app.extraction.speakers import SpeakerResolver


@pytest.fixture
def view(extractor):
    def make(text: str) -> DocView:
        return DocView(extractor.nlp(text), find_quotations(text))
    return make


def texts(v: DocView, claim: Claim) -> list[str]:
    return [v.text[s:e] for s, e in claim.spans]


# -- document: quotations that are names, titles, speech ---------------------------------

def test_title_and_speech_tests_of_a_quotation(view):
    v = view('She read "The Long Winter" and said "we will read it again next year".')
    title, speech = v.quotations
    assert looks_like_title(v, title) and not speechlike(v, title)
    assert not looks_like_title(v, speech) and speechlike(v, speech)
    assert v.titles == {0}


# -- 3a direct ----------------------------------------------------------------------------

def test_direct_pass_offers_every_frame_candidate(view):
    v = view('"The dam will hold," Lena Park told the mayor.')
    (c,) = find_direct(v)
    assert c.kind == "direct" and c.speaker_head is None  # choosing is pass 5
    assert [(x.head.text, x.source) for x in c.candidates] == [("Park", "cue_after")]
    assert c.cue.token.text == "told"


def test_direct_pass_cue_before_and_colon_intro_give_one_candidate(view):
    v = view('Lena Park told the council: "The dam will hold."')
    (c,) = find_direct(v)
    assert [(x.head.text, x.source) for x in c.candidates] == [("Park", "cue_before")]
    a, _ = v.q_tokens(v.quotations[0])
    assert colon_intro(v, [t for t in v.doc[:a] if not t.is_space]).text == "Park"


def test_direct_pass_byline_after_a_dash(view):
    v = view('"Every child deserves a safe way to school." — Carla Mendes')
    (c,) = find_direct(v)
    assert [(x.head.text, x.source) for x in c.candidates] == [("Mendes", "byline")]
    assert byline(frame_after(v, v.q_tokens(v.quotations[0])[1])).text == "Mendes"


def test_direct_pass_lone_quote_is_carried(view):
    v = view('"We will rebuild every house that the flood destroyed."')
    (c,) = find_direct(v)
    assert c.carry == "context" and not c.candidates and c.speechlike


def test_direct_pass_skips_a_quote_inside_a_sentence(view):
    v = view('The union has vowed to fight "every single cut" to the budget.')
    assert find_direct(v) == []


def test_colon_intro_needs_a_speaker_like_subject(view):
    v = view('The weather turned: "Rain all week long and no end to it."')
    a, _ = v.q_tokens(v.quotations[0])
    before = [t for t in v.doc[:a] if not t.is_space]
    assert colon_intro(v, before) is None


# -- 3b reported --------------------------------------------------------------------------

def test_reported_pass_finds_a_said_clause(view):
    v = view("Olaf Berg said the company will close two plants next year.")
    (c,) = find_reported(v, [], set())
    assert c.kind == "indirect" and c.key == "say|ccomp" and c.speaker_head.text == "Berg"
    assert texts(v, c) == ["the company will close two plants next year"]


def test_reported_pass_threshold_decides(view):
    v = view("The governor intimated that the new budget was dead in the senate.")
    (c,) = find_reported(v, [], set(), threshold=0.0)
    assert find_reported(v, [], set(), threshold=c.score + 0.01) == []
    (kept,) = find_reported(v, [], set(), threshold=c.score)
    assert kept.key == c.key == "intimate|ccomp"


def test_reported_pass_unlearned_scores_by_mined_precision(view):
    v = view("The governor intimated that the new budget was dead in the senate.")
    (c,) = find_reported(v, [], set(), threshold=0.0, learned=False)
    assert c.score == cue_precision("intimate|ccomp") < T.REPORTED_THRESHOLD
    assert find_reported(v, [], set(), learned=False) == []


def test_reported_pass_object_patterns_of_other_verbs_need_mined_counts(view):
    from app.extraction.lexicon import cue_table

    v = view("Senator Marta Lindqvist endorsed the plan to widen the northern harbour.")
    (c,) = find_reported(v, [], set(), threshold=0.0)
    assert c.key == "endorse|dobj" and not c.cue.clausal
    assert cue_table()["endorse|dobj"][0] >= T.OTHER_OBJECT_MIN_COUNT
    assert cue_precision("endorse|dobj") > cue_precision("~|dobj")
    v = view("The mayor repainted the old fence on Sunday.")
    assert not any(k.startswith("repaint|") for k in cue_table())
    assert find_reported(v, [], set(), threshold=0.0) == []
    (c,) = find_reported(v, [], set(), threshold=-1.0)  # mining sees every verb
    assert c.key.startswith("repaint|dobj")


def test_reported_features_and_model():
    from app.extraction.passes.reported import default_model

    model = default_model()
    assert model.meta["built_by"] == "python -m app.extraction train-reported"
    assert model.weights["logit_prec"] > 0  # a precise pattern raises the probability


def test_one_claim_per_reported_content(view):
    v = view("The Harbour Authority put out a statement saying that the port will reopen.")
    (c,) = find_reported(v, [], set(), threshold=0.0)
    assert texts(v, c) == ["that the port will reopen"]


def test_reported_pass_quoted_words_make_a_partial(view):
    v = view('Olsen said the ferry has been "a lifeline for the islands" for years.')
    (c,) = find_reported(v, [], set())
    assert c.kind == "partial" and c.key.endswith("^q") and c.quotations == v.quotations


def test_reported_pass_leaves_taken_quotations_alone(view):
    v = view('Olsen said the ferry has been "a lifeline for the islands" for years.')
    (c,) = find_reported(v, [], {id(v.quotations[0])})
    assert c.kind == "indirect" and c.quotations == []


def test_reported_pass_skips_a_clause_inside_a_direct_quote(view):
    v = view('"Berg said the plant will close," Ann Lee told us.')
    direct = find_direct(v)
    assert find_reported(v, direct, taken_by(direct)) == []


# -- 3c labelled lines and fragments --------------------------------------------------------

def test_labelled_line_pass(view):
    v = view("Mara Lind: Harbour Plan Is ‘A Gift To Developers’\n\nThe council voted.")
    (c,) = find_labelled_lines(v, [])
    assert c.speaker_head.text == "Lind" and c.kind == "partial"


def test_fragment_pass_governed_by_a_cue(view):
    v = view('The union has vowed to fight "every single cut" to the budget.')
    (c,) = find_fragments(v, set())
    assert c.kind == "partial" and c.cue.token.text == "vowed"
    assert c.speaker_head.text == "union"
    assert find_fragments(v, {id(v.quotations[0])}) == []


def test_fragment_pass_words_of_a_document(view):
    v = view('Talks are held under Article 9 of the Coastal Treaty. They begin when '
             '"the waters of either party are put at risk".')
    (c,) = find_fragments(v, set())
    assert c.speaker_head.text == document_near(v, v.q_tokens(v.quotations[0])[0]).text
    assert c.candidates[0].source == "document"


def test_fragment_pass_drops_scare_quotes(view):
    assert find_fragments(view('The so-called "experts" were wrong again.'), set()) == []


# -- 5 choice -----------------------------------------------------------------------------

def test_choice_pass_follows_the_model(view):
    v = view('Lena Park told the council: "The dam will hold for a century." — Tom Becker')
    (c,) = find_direct(v)
    assert {x.head.text: x.source for x in c.candidates} == {"Park": "cue_before",
                                                             "Becker": "byline"}
    prefer = {x.head.text: candidate_features(v, c, x) for x in c.candidates}
    assert "src=byline" in prefer["Becker"] and "src=cue_before" in prefer["Park"]
    choose_speakers(v, [c], SpeakerModel({"src=cue_before": 5.0}, 0.0))
    assert c.speaker_head.text == "Park" and c.cue.token.text == "told"
    c.speaker_head = None
    choose_speakers(v, [c], SpeakerModel({"src=byline": 5.0}, 0.0))
    assert c.speaker_head.text == "Becker"


def test_committed_model_loads_and_scores():
    from app.extraction.passes.choice import default_model

    model = default_model()
    assert model.meta["built_by"] == "python -m app.extraction train-speaker"
    assert 0.0 < model.score({"src=cue_after": 1.0}) < 1.0


# -- 4 assemble ---------------------------------------------------------------------------

def test_assemble_joins_a_quote_interrupted_by_its_attribution(view):
    v = view('"Prices will fall," Jan Novak said. "Wages will rise."')
    claims = find_candidates(v)
    choose_speakers(v, claims)
    (c,) = join_split_quotes(v, claims)
    assert c.joined == [("direct", [c.spans[-1]])] and len(c.spans) == 2


def test_assemble_joins_a_lone_quote_to_the_nearest_attributed_one(view):
    v = view('"Prices will fall," Jan Novak said. "No," Ann Lee said. "Wages will rise."')
    claims = find_candidates(v)
    choose_speakers(v, claims)
    novak, lee = assemble(v, claims)
    assert not novak.joined and lee.speaker_head.text == "Lee" and len(lee.joined) == 1


def test_assemble_drops_headlines_and_nested_claims(view):
    v = view("Council vows to rebuild the harbour wall\n\n"
             "She noted that the senator had criticized the harbour plan for years.")
    claims = find_candidates(v)
    choose_speakers(v, claims)
    assert any(in_headline(v, c) for c in claims)
    kept = drop_nested(v, [c for c in claims if not in_headline(v, c)])
    assert [c.cue.token.text for c in kept] == ["noted"]


# -- 6 resolution and carry-over ----------------------------------------------------------

def test_carry_pass_takes_the_previous_speaker(view):
    v = view('"The bridge is closed," said Ruth Okafor.\n\n'
             '"We found cracks in two of the supports."')
    claims = find_candidates(v)
    choose_speakers(v, claims)
    claims = assemble(v, claims)
    out = resolve_and_carry(v, claims, SpeakerResolver(v.doc, v.outside))
    assert [c.resolution.name for c in out] == ["Ruth Okafor", "Ruth Okafor"]


def test_carry_pass_drops_a_quote_nobody_said_unless_asked(view):
    v = view('The storm passed.\n\n"We will rebuild every house that the flood destroyed."')
    claims = assemble(v, find_candidates(v))
    resolver = SpeakerResolver(v.doc, v.outside)
    assert resolve_and_carry(v, list(claims), resolver) == []
    (kept,) = resolve_and_carry(v, list(claims), resolver, keep_unattributed=True)
    assert kept.resolution is None


def test_teaser_lines(view):
    v = view("Watch: How the strike unfolded.\n\nLena Park said the strike is over.")
    assert is_teaser(v, v.para_tokens(0)) and not is_teaser(v, v.para_tokens(1))


def test_context_speaker_from_an_intro_line(view):
    v = view("The harbour master, Ines Duarte, gave a warning on Monday:\n\n"
             '"Small boats should stay in port until the storm has passed."')
    (c,) = assemble(v, find_candidates(v))
    res, _ = context_speaker(v, c, [c], SpeakerResolver(v.doc, v.outside))
    assert res.name == "Ines Duarte"


# -- 7 emit -------------------------------------------------------------------------------

def test_emit_one_quote_per_piece_or_grouped(view):
    v = view('"Prices will fall," Jan Novak said. "Wages will rise."')
    claims = find_candidates(v)
    choose_speakers(v, claims)
    claims = resolve_and_carry(v, assemble(v, claims), SpeakerResolver(v.doc, v.outside))
    first, second = emit(v, claims)
    assert (first.content, second.content) == ("Prices will fall", "Wages will rise.")
    assert second.continues == 0 and first.speaker == second.speaker == "Jan Novak"
    (grouped,) = emit(v, claims, group_interrupted=True)
    assert len(grouped.content_spans) == 2 and grouped.kind == "direct"


def test_frame_comma_is_trimmed():
    text = '"Prices will fall," he said.'
    assert without_frame_comma(text, 1, 18) == (1, 17)
    assert without_frame_comma(text, 1, 17) == (1, 17)


def test_candidate_dataclass_is_plain():
    assert Candidate.__dataclass_params__.frozen
