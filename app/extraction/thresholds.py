"""Every threshold of the extraction engine, in one place, with what it trades.

Counts are tokens unless named otherwise. Raising a "least" value trades recall for
precision; raising a "most" value (a window, a length) trades precision for recall.
"""
from __future__ import annotations

# -- parsing ------------------------------------------------------------------------------
MAX_CHUNK_CHARS = 100_000  # longer texts are parsed in paragraph-aligned chunks: memory
#                            and spaCy's length limit against coreference across chunks

# -- quotations that are not anyone's words ------------------------------------------------
TITLE_MAX_WORDS = 6  # a capitalised quotation this short is a name or title ("Face the
#                      Nation"); longer ones are titles only without a verb
SPEECH_MIN_WORDS = 4  # a quotation with no cue needs this many words to be someone's
#                       words: fewer lets scare quotes in, more loses short remarks
SPEECH_MAX_CAPITALISED = 0.8  # share of capitalised long words above which a quotation
#                               reads as a headline or title, not speech
SPEECH_LONG_WORD_CHARS = 4  # words at least this long count for that share

# -- direct quotes: the frame around a quotation -----------------------------------------
ATTRIBUTION_START_WINDOW = 6  # a sentence after a quote starts an attribution if a cue
#                               verb comes within this many tokens ('"…." He said …')
BYLINE_WINDOW = 6  # a name this close after a dash closing a quote is its byline
LABEL_COLON_WITHIN = 8  # 'Name: "…"' lines: the colon within this many tokens of the start
LABEL_MIN_CONTENT = 3  # … and at least this many tokens after it
NAME_LABEL_MAX_WORDS = 5  # a bare name labelling a quote has at most this many words
LINE_AFTER_MAX_TOKENS = 8  # a '— Name' line after a stand-alone quote is this short

# -- reported speech ----------------------------------------------------------------------
REPORTED_THRESHOLD = 0.35  # least probability (passes/reported.py, the learned model)
#                            that a reported-speech candidate is a right attribution:
#                            lower finds more indirect claims and more non-claims
#                            ("announced deployments"); accepting a candidate raises F1
#                            when its probability exceeds F1/2, and 2-fold CV on train
#                            found 0.30-0.40 flat (all F1 61.2-61.3)
OTHER_OBJECT_MIN_COUNT = 3  # an object/infinitive pattern of a verb outside the object
#                              lexicon ("endorsed X", "voted to …") is a candidate only
#                              when mined this often on train: lower opens rarer verbs
#                              (and their noise) to the learned model
OTHER_OBJECT_MIN_PRECISION = 0.1  # … and only when at least this share of its mined
#                                   candidates was right ("be|acomp", "have|dobj" are not):
#                                   the model never keeps those, so this saves work more
#                                   than it trades recall
DIRECT_OVERLAP_SHARE = 0.5  # a reported clause this much inside a direct quote is the
#                             same words, not a claim of its own
REPORTED_END_SLACK_CHARS = 2  # a cue-less quote ending this close after a reported
#                               clause belongs to it ('said that X but "Y."')
THAT_CLAUSE_MAX_DISTANCE = 12  # a that-clause hung lower ("told reporters that …") is
#                                the complement when it starts this close to the cue
SUBJECT_CHAIN_MAX_STEPS = 4  # steps up the parse to find a cue's subject ("…, adding
#                              that …"): more finds speakers further away, and wrong ones
FRAGMENT_PATH_MAX_STEPS = 5  # steps up the parse from a quoted fragment to its cue verb
AUXILIARY_MAX_GAP = 2  # an auxiliary or "not" this close before a cue is part of it
#                        ("has repeatedly warned"): more swallows unrelated words

# cue table smoothing (lexicon.cue_precision)
CUE_SMOOTHING = 4.0  # pseudo-counts pulling a mined precision towards its prior: higher
#                      trusts rare patterns' counts less
SPEECH_CLAUSE_PRIOR = 0.6  # prior of a clause reported by a verb of the speech lexicon
OTHER_CLAUSE_PRIOR = 0.2  # … by any other verb
QUOTED_CLAUSE_PRIOR = 0.5  # … by an unmined verb, when the clause holds quoted words

# -- headlines and teasers ----------------------------------------------------------------
HEADLINE_WORDS = 12  # an unquoted claim alone on a line this short, with no closing
#                      punctuation, is a headline: higher drops short real claims
TEASER_MAX_WORDS = 12  # a line this short with no quote and no person is a teaser
TEASERS_SKIPPED = 2  # teaser lines skipped when carrying a speaker over to a quote

# -- speakers -----------------------------------------------------------------------------
THEY_IT_WINDOW = 400  # "they"/"it" go to a group/organisation that spoke this close before
HE_SHE_WINDOW = 600  # "he"/"she" go to a person mentioned this close before
PLURAL_ANTECEDENT_WINDOW = 400  # "the envoys" takes a fuller earlier form this close
BARE_PLURAL_MAX_WORDS = 2  # … when it is this bare ("the envoys", not "envoys of X")
APPOSITION_ROLE_MAX = 6  # "X, the head of Y," : an of-phrase this long joins the role
MENTION_OF_PHRASE_MAX = 8  # "envoys to the alliance": a prepositional phrase this long
#                            joins a common-noun mention
SHORT_ROLE_MAX_TOKENS = 4  # "Ines Duarte, the harbour master,": a role this short
