"""The engine's passes, each a function with explicit input and output.

| pass | module | input | output |
|---|---|---|---|
| 1 quotation spans | :mod:`..quotes` | text | ``Quotation`` list |
| 2 cues | :mod:`..cues` | tokens | ``Cue`` list |
| 3a direct quotes | :mod:`.direct` | ``DocView`` | claims with speaker candidates |
| 3b reported clauses | :mod:`.reported` | view, direct claims, taken quotations | claims |
| 3c labelled lines, fragments | :mod:`.fragments` | view, claims, taken | claims |
| 4 assemble | :mod:`.assemble` | view, claims | joined, filtered claims |
| 5 speaker choice | :mod:`.choice` | view, claims (candidates) | ``speaker_head`` and cue set |
| 6 resolution, carry-over | :mod:`.carry` | view, claims, resolver | ``resolution`` set |
| 7 emit | :mod:`.emit` | view, claims | ``Quote`` list |

:func:`..pipeline.attribute` runs them in this order for one parsed text.
"""
