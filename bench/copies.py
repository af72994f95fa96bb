"""Wire-copy detection: precision and recall on realistic copies of PolNeAR train articles.

Usage (from the repository root)::

    python bench/copies.py [--n 300] [--seed 13] [--db sqlite|postgresql] [--pg-url URL]

What it builds, from ``../shared/eval/polnear_train.jsonl`` (train split only):

* PolNeAR holds some articles more than once (one per annotator, sometimes lightly edited):
  articles whose exact shingle Jaccard with another reaches 0.2 are grouped and one of each
  group kept, so no "distinct" article is secretly a copy;
* ``--n`` originals, drawn at random, stored first (rows + their band keys, as ingest stores them);
* a copy of each, as another site reprints a wire story: a new headline in place of the
  original's first line, one paragraph without quotes dropped, the site's boilerplate (a
  banner, a newsletter line, an inline "Related:" headline, a copyright footer; six sites,
  each with its own), and the typographic quotes of that site; every quote kept;
* ``--n`` distinct articles on the same topics: of the remaining articles, those whose
  TF-IDF word vector is closest to an original's (2015-2016 US politics, like the originals).

The copies and distinct articles, shuffled, then go through what ``ingest_article`` does for
copies (``sketch`` -> ``find_copy`` -> store -> ``remember``) on a fresh database; extraction
and embedding are left out (they do not take part in the decision). A copy counts as found when
it names its own original. Precision = right copies named / all copies named; recall = right
copies named / copies. Also: the similarity of copies and of the distinct articles' best match,
and the time of ``sketch`` + ``find_copy`` per article. Prints a table, then as its last line one
JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "polnear_train.jsonl"
if not DEFAULT_DATA.exists():
    DEFAULT_DATA = Path("/work/shared/eval/polnear_train.jsonl")

QUOTE = re.compile(r"[\"“”‘’«»]|''|``")

# Six sites' boilerplate: a banner above, a newsletter line, a "Related:" line inside the text,
# a footer; each site also sets its own quote marks.
SITES = [
    {"banner": "WASHINGTON (AP) —", "newsletter": "Get the day's top political stories in your inbox: sign up for "
     "the Morning Wire newsletter.", "footer": "Copyright 2016 The Associated Press. All rights reserved. This "
     "material may not be published, broadcast, rewritten or redistributed.", "curly": False},
    {"banner": "Politics | Campaign 2016 | Share on Facebook | Share on Twitter | Email", "newsletter":
     "Want more? Subscribe to The Daily Ballot for analysis delivered every weekday at 6 a.m.",
     "footer": "Reporting by our Washington bureau; additional reporting from wire services. Editing by the "
     "national desk. Our standards: the Thomson Trust Principles.", "curly": True},
    {"banner": "ADVERTISEMENT", "newsletter": "Sign up for our free newsletters and alerts. We will never share "
     "your e-mail address.", "footer": "Comments are moderated. Please keep them civil and on topic. Read our "
     "community guidelines and privacy policy before posting. © 2016 Metro Daily Media Group LLC.", "curly": True},
    {"banner": "Home > News > Politics", "newsletter": "Like us on Facebook and follow us on Twitter for the "
     "latest updates from the campaign trail.", "footer": "This story has been corrected. An earlier version "
     "misstated a date. Have a news tip? Contact our newsroom any time, day or night.", "curly": False},
    {"banner": "BREAKING NEWS ALERT", "newsletter": "Download our app to get breaking news alerts on your phone.",
     "footer": "The Associated Press contributed to this report. Copyright 2016 Channel 7 News. All rights "
     "reserved.", "curly": True},
    {"banner": "Election 2016: full coverage, live results and analysis", "newsletter": "Support independent "
     "journalism: become a member today for as little as $5 a month.", "footer": "Filed under: Election 2016, "
     "Congress, White House. Tags: campaign, polls, debate. Related topics and more stories from our "
     "politics team.", "curly": False},
]
HEADLINE_FORMS = ["{lead} — report", "{lead}", "WATCH: {lead}", "{lead} (UPDATED)", "Analysis: {lead}",
                  "{lead}, sources say"]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def make_copy(text: str, other_headline: str, rng: random.Random) -> tuple[str, bool]:
    """A site's reprint of ``text``; returns (copy, whether a paragraph was dropped)."""
    paras = paragraphs(text)
    body = paras[1:] if len(paras) > 1 else paras
    words = body[0].split()[: rng.randint(6, 10)]
    headline = rng.choice(HEADLINE_FORMS).format(lead=" ".join(words).rstrip(",.;:"))
    droppable = [i for i, p in enumerate(body) if not QUOTE.search(p)]
    dropped = False
    if len(body) > 1 and droppable:
        del body[rng.choice(droppable)]
        dropped = True
    site = rng.choice(SITES)
    if site["curly"]:
        body = [re.sub(r'"(?=\w)', "“", p).replace('"', "”") for p in body]
    else:
        body = [p.replace("“", '"').replace("”", '"').replace("’", "'") for p in body]
    related = f"Related: {other_headline}"
    at = rng.randint(1, max(1, len(body) - 1))
    body = body[:at] + [related] + body[at:]
    out = [headline, site["banner"] + " " + body[0], *body[1:], site["newsletter"], site["footer"]]
    return "\n\n".join(out), dropped


def groups_of_near_duplicates(shingles: list[frozenset[int]], jaccard, threshold: float = 0.2) -> list[int]:
    """Each article's group (union-find over pairs with exact Jaccard >= threshold)."""
    parent = list(range(len(shingles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(shingles)):
        for j in range(i + 1, len(shingles)):
            if jaccard(shingles[i], shingles[j]) >= threshold:
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(shingles))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--n", type=int, default=300, help="originals (and copies, and distinct articles)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/cd_copies_bench"))
    args = ap.parse_args(argv)

    import numpy as np
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from sklearn.feature_extraction.text import TfidfVectorizer

    from app import create_app
    from app.copies import minhash
    from app.copies import service as copies
    from app.extensions import db
    from app.ingest.text import text_fingerprint
    from app.models import Article

    rng = random.Random(args.seed)
    articles = [json.loads(line) for line in open(args.data, encoding="utf-8") if line.strip()]
    sketches = [minhash.sketch(a["text"]) for a in articles]
    group = groups_of_near_duplicates([s.shingles for s in sketches], minhash.jaccard)
    seen_groups: set[int] = set()
    pool = []
    for i in rng.sample(range(len(articles)), len(articles)):
        if group[i] not in seen_groups:
            seen_groups.add(group[i])
            pool.append(i)
    if len(pool) < 2 * args.n:
        raise SystemExit(f"only {len(pool)} distinct articles for --n {args.n}")
    originals, rest = pool[: args.n], pool[args.n:]

    tfidf = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True)
    matrix = tfidf.fit_transform(a["text"] for a in articles)
    topical = (matrix[rest] @ matrix[originals].T).max(axis=1).toarray().ravel()
    order = np.argsort(-topical)[: args.n]
    distinct = [rest[i] for i in order]
    topic_cosine = float(np.mean(topical[order]))

    copies_made, dropped = [], 0
    for i in originals:
        other = articles[rng.choice(rest)]["title"]
        text, was_dropped = make_copy(articles[i]["text"], other, rng)
        copies_made.append((text, i))
        dropped += was_dropped
    tests = [("copy", text, i) for text, i in copies_made] + [("distinct", articles[i]["text"], None) for i in distinct]
    rng.shuffle(tests)

    tmp = Path(tempfile.mkdtemp(prefix="copies-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'desk.db'}"
    else:
        url = args.pg_url
        base, _, name = url.rpartition("/")
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:  # the bench's own database
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMDESK_ANN_DIR": str(tmp / "ann")})

    def store(text: str, title: str, sketch, match) -> int:
        article = Article(title=title[:500], text=text, sha256=text_fingerprint(text), source="cli")
        db.session.add(article)
        db.session.flush()
        copies.remember(article, sketch, match)
        db.session.commit()
        return article.id

    tp = fp = fn = 0
    false_positive_similarities: list[float] = []
    copy_similarities: list[float] = []
    distinct_best: list[float] = []
    timings: list[float] = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        id_of = {i: store(articles[i]["text"], articles[i]["title"], sketches[i], None) for i in originals}
        for kind, text, original in tests:
            started = time.perf_counter()
            sketch = minhash.sketch(text)
            match = copies.find_copy(sketch)
            timings.append(time.perf_counter() - started)
            store(text, "bench", sketch, match)
            if kind == "copy":
                copy_similarities.append(minhash.jaccard(sketch.shingles, sketches[original].shingles))
                if match is not None and match.original_id == id_of[original]:
                    tp += 1
                else:
                    fn += 1
                    if match is not None:
                        fp += 1
                        false_positive_similarities.append(match.similarity)
            else:
                distinct_best.append(max(minhash.jaccard(sketch.shingles, sketches[i].shingles) for i in originals))
                if match is not None:
                    fp += 1
                    false_positive_similarities.append(match.similarity)
        band_rows = db.session.scalar(sa.text("SELECT count(*) FROM article_bands"))

    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / args.n
    timings.sort()
    figures = {
        "db": args.db, "originals": args.n, "copies": args.n, "distinct": args.n,
        "pool_after_dedup": len(pool), "paragraph_dropped": dropped, "topic_cosine_distinct": round(topic_cosine, 3),
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "precision": round(precision, 4), "recall": round(recall, 4),
        "copy_similarity_min": round(min(copy_similarities), 3),
        "copy_similarity_median": round(statistics.median(copy_similarities), 3),
        "distinct_best_max": round(max(distinct_best), 3),
        "threshold": copies.COPY_THRESHOLD, "bands": minhash.BANDS, "rows": minhash.ROWS,
        "band_rows": band_rows,
        "detect_ms_p50": round(1000 * timings[len(timings) // 2], 2),
        "detect_ms_p95": round(1000 * timings[int(len(timings) * 0.95)], 2),
    }
    print(f"Wire-copy detection, {args.n} originals, {args.n} copies, {args.n} distinct ({args.db})")
    print(f"{'':28}{'value':>10}")
    for key in ("precision", "recall", "true_positives", "false_positives", "false_negatives",
                "copy_similarity_min", "copy_similarity_median", "distinct_best_max", "topic_cosine_distinct",
                "paragraph_dropped", "pool_after_dedup", "detect_ms_p50", "detect_ms_p95"):
        print(f"{key:28}{figures[key]:>10}")
    print(f"(a copy is named when Jaccard >= {copies.COPY_THRESHOLD}; LSH {minhash.BANDS} bands x {minhash.ROWS} rows)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
