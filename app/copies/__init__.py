"""Wire copies: an article that reprints an earlier one (new headline, a paragraph dropped,
boilerplate added) is found at ingest by MinHash LSH over word shingles and stored with
``copy_of``; its claims that repeat the original's are linked to them.

``minhash`` is the engine (no Flask, no database); ``service`` keeps the band keys in the
database and is called by ``app.ingest.service.ingest_article``.
"""
