"""Fill a PostgreSQL database with a desk's worth of claims for bench/load.sh, fast.

Usage (from the repo root, DATABASE_URL pointing at a migrated, dedicated database):
    python bench/load_fill.py [--claims 100000] [--per-article 10] [--no-embeddings] [--force]

Bulk COPY, not the extractor: articles of synthetic quotes (offsets that really point
into the text), speakers, claims in every status with their history, verdicts and
evidence for the claims past review, and random unit vectors as embeddings (dated a day
back, so the app's rankers load them once and do not treat them as just written).
Creates the user ``bench@claimdesk.local`` with an API token. Prints one JSON line:
{"claims": ..., "articles": ..., "min_claim_id": ..., "max_claim_id": ..., "email": ...,
"password": ..., "token": ..., "seconds": ...}. Reuses a database already filled to the
same size unless --force (which empties every table first).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402

FIRST = ("Anna Carl Eva Gustav Ida Johan Karin Lars Maja Nils Olga Per Rita Sven Tove Ulf Vera Axel Britt Dag "
         "Elin Frej Greta Hugo Iris Jonas Klara Leo Mira Noah Oskar Pia Rune Saga Teo Uma Viggo Wilma Yrsa Alma "
         "Bo Cilla David Ebba Filip Hanna Isak Julia Kim Linn Malte Nora Otto Petra Rasmus Stina Tim Ulla Vidar "
         "Zara").split()
LAST = ("Berg Dahl Falk Holm Lund Moberg Nyberg Ek Sund Wall Lind Strand Sjoberg Hedlund Ahl Blom Carlsson Dalin "
        "Engman Forsberg Gran Hellberg Isaksson Jansson Kvist Lager Malm Norlin Olofsson Palm Qvist Rask Sandberg "
        "Tornqvist Uggla Vik Wester Yngve Zetterberg Almgren Bergman Cronqvist Dahlgren Edberg Fransson Gustafsson "
        "Hagberg Ivarsson Jonsson Karlberg Ljung Martinsson Nord Ohlin Persson Roos Svensson Thorn Ulin Vass").split()
ROLES = ["Mayor", "Minister", "Senator", "councillor", "spokeswoman", "spokesman", "Professor", "chief executive"]
VERBS = ["cut", "raise", "double", "halve", "freeze", "protect", "build", "close", "open", "fund", "reform", "end"]
THINGS = ["taxes", "rents", "the harbour fund", "school budgets", "bus fares", "hospital waiting lists",
          "energy prices", "police numbers", "the bridge tolls", "unemployment", "housing starts", "emissions",
          "the pension age", "rail subsidies", "broadband coverage", "crime in the city centre"]
NUMBERS = ["10 percent", "a third", "half", "two million", "40,000 homes", "300 officers", "every family",
           "1.5 billion crowns", "twice as many", "one in four"]
WHEN = ["by next year", "before the election", "within five years", "by 2030", "this winter", "in the spring",
        "over the decade", "since 2019", "last year", "this month"]
TEMPLATES = [
    "We will {verb} {thing} by {num} {when}",
    "{Thing} fell by {num} {when}",
    "Our plan will {verb} {thing} {when}",
    "Nobody has done more to {verb} {thing} than this government",
    "{Thing} have risen by {num} {when}, and that is a scandal",
    "The opposition wants to {verb} {thing}, which would cost {num}",
    "I promise to {verb} {thing} {when}",
    "Under our watch {thing} went down by {num}",
]
STATUSES = ["new"] * 60 + ["in_progress"] * 20 + ["in_review"] * 8 + ["approved"] * 8 + ["dismissed"] * 4
KINDS = ["direct"] * 70 + ["partial"] * 15 + ["indirect"] * 15
VERDICTS = ["true", "mostly_true", "mixed", "mostly_false", "false", "misleading", "unverifiable"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--per-article", type=int, default=10)
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--force", action="store_true", help="empty the database and fill again")
    parser.add_argument("--seed", type=int, default=8)
    return parser.parse_args(argv)


def quote(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    thing = rng.choice(THINGS)
    return template.format(verb=rng.choice(VERBS), thing=thing, Thing=thing[0].upper() + thing[1:],
                           num=rng.choice(NUMBERS), when=rng.choice(WHEN))


def main() -> None:
    args = parse_args()
    from app import create_app
    from app.auth.service import create_token, create_user
    from app.extensions import db
    from app.ingest.text import text_fingerprint
    from app.models import User

    app = create_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        sys.exit("bench/load_fill.py fills PostgreSQL only (set DATABASE_URL).")
    started = time.perf_counter()
    rng = random.Random(args.seed)
    with app.app_context():
        have = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("claims")))
        if have == args.claims and not args.force:
            print(f"reusing {have:,} claims already in the database", file=sys.stderr)
        else:
            tables = [t.name for t in reversed(db.metadata.sorted_tables)]
            db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            db.session.commit()
            fill(args, rng, app.config["CLAIMDESK_EMBEDDING_MODEL"], text_fingerprint)
        email, password = "bench@claimdesk.local", "bench-password-not-secret"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            create_user(email, name="Bench Editor", role="editor", password=password)
        _token, secret = create_token(email, name="load bench")
        ids = db.session.execute(sa.text("SELECT min(id), max(id), count(*) FROM claims")).one()
        articles = db.session.scalar(sa.text("SELECT count(*) FROM articles"))
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    print(json.dumps({"claims": ids[2], "articles": articles, "min_claim_id": ids[0], "max_claim_id": ids[1],
                      "email": email, "password": password, "token": secret,
                      "seconds": round(time.perf_counter() - started, 1)}))


def fill(args, rng: random.Random, model: str, fingerprint) -> None:
    """COPY every table in dependency order, with explicit ids, then move the sequences on."""
    from app.extensions import db

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    n_articles = max(1, args.claims // args.per_article)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        users = [(i, f"desk{i}@claimdesk.local", f"Desk Editor {i}", "reviewer" if i % 3 == 0 else "editor",
                  "scrypt:32768:8:1$bench$" + "0" * 128, True, now) for i in range(1, 9)]
        copy_rows(cur, "users", ("id", "email", "name", "role", "password_hash", "active", "created_at"), users)

        names = [f"{f} {l}" for f in FIRST for l in LAST]
        rng.shuffle(names)
        names = names[:2000]
        speakers = [(i + 1, name, name.lower(), rng.choice(ROLES), "person", now) for i, name in enumerate(names)]
        copy_rows(cur, "speakers", ("id", "name", "name_key", "role", "kind", "created_at"), speakers)

        article_rows, claim_rows, audit_rows, verdict_rows, evidence_rows, link_rows, vectors = [], [], [], [], [], [], []
        claim_id = audit_id = verdict_id = evidence_id = 0
        for a in range(1, n_articles + 1):
            ingested = now - timedelta(days=365) + timedelta(seconds=a * 31_536_000 // n_articles)
            paragraphs, spans = [f"Council and government news, item {a}"], []
            pos = len(paragraphs[0]) + 2
            for _ in range(args.per_article):
                speaker = rng.randrange(len(speakers))
                content = quote(rng)
                para = f"\u201c{content},\u201d {speakers[speaker][1]} said on day {a}."
                spans.append((speaker, content, pos + 1, pos + 1 + len(content)))
                paragraphs.append(para)
                pos += len(para) + 2
            text = "\n\n".join(paragraphs)
            article_rows.append((a, f"Bench article {a}: {spans[0][1][:60]}", rng.choice(["City Post", "Coast Courier",
                                 "Baltic Wire", None]), f"https://news.example/{a}", ingested, text,
                                 fingerprint(text), "cli", ingested))
            audit_id += 1
            audit_rows.append((audit_id, None, a, None, "article_ingested", None,
                               json.dumps({"title": f"Bench article {a}", "source": "cli", "claims": len(spans)}),
                               ingested))
            for speaker, content, start, end in spans:
                claim_id += 1
                status = rng.choice(STATUSES)
                assignee = rng.randrange(1, 9) if status != "new" else None
                created = ingested
                updated = created + timedelta(hours=rng.randrange(0, 200)) if status != "new" else created
                claim_rows.append((claim_id, a, speaker + 1, content, rng.choice(KINDS), start, end, None, None, None,
                                   "said", status, assignee, None, False,
                                   "opinion, not checkable" if status == "dismissed" else None,
                                   1, created, updated))
                audit_id += 1
                audit_rows.append((audit_id, claim_id, None, None, "claim_extracted", None,
                                   json.dumps({"content": content, "status": "new"}), created))
                if status in ("in_review", "approved"):
                    verdict_id += 1
                    proposer = assignee or 1
                    reviewer = 3 if proposer != 3 else 6
                    verdict_rows.append((verdict_id, claim_id, rng.choice(VERDICTS), "Checked against the record.",
                                         "approved" if status == "approved" else "proposed", proposer, updated,
                                         reviewer if status == "approved" else None,
                                         updated + timedelta(hours=2) if status == "approved" else None, None))
                    evidence_id += 1
                    evidence_rows.append((evidence_id, f"https://records.example/{evidence_id}",
                                          f"Official record {evidence_id}", "Statistics office", None, None, None,
                                          proposer, updated))
                    link_rows.append((evidence_id, claim_id, evidence_id, rng.choice(["supports", "contradicts"]),
                                      None, proposer, updated))
                if not args.no_embeddings:
                    vectors.append((claim_id, content))
        copy_rows(cur, "articles", ("id", "title", "publisher", "url", "published_at", "text", "sha256", "source",
                                    "ingested_at"), article_rows)
        copy_rows(cur, "claims", ("id", "article_id", "speaker_id", "content", "kind", "start", '"end"', "spans",
                                  "speaker_start", "speaker_end", "cue", "status", "assignee_id", "duplicate_of_id",
                                  "edited", "dismiss_reason", "version", "created_at", "updated_at"), claim_rows)
        copy_rows(cur, "audit_events", ("id", "claim_id", "article_id", "user_id", "action", "before", "after", "at"),
                  audit_rows)
        copy_rows(cur, "verdicts", ("id", "claim_id", "verdict", "rationale", "state", "proposed_by_id",
                                    "proposed_at", "reviewed_by_id", "reviewed_at", "review_comment"), verdict_rows)
        copy_rows(cur, "evidence", ("id", "url", "title", "publisher", "published_at", "excerpt", "source_claim_id",
                                    "created_by_id", "created_at"), evidence_rows)
        copy_rows(cur, "claim_evidence", ("id", "claim_id", "evidence_id", "stance", "note", "added_by_id",
                                          "added_at"), link_rows)
        if vectors:
            copy_embeddings(cur, vectors, model, now - timedelta(days=1), rng)
        for table in ("users", "speakers", "articles", "claims", "audit_events", "verdicts", "evidence",
                      "claim_evidence", "embeddings"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))")
        raw.commit()
    finally:
        raw.close()


def copy_rows(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    print(f"  {table}: {len(rows):,} rows", file=sys.stderr)


def copy_embeddings(cur, owners: list[tuple[int, str]], model: str, when: datetime, rng: random.Random,
                    dim: int = 384) -> None:
    """Random unit vectors (float32 little-endian), in chunks to keep memory flat."""
    generator = np.random.default_rng(rng.randrange(1 << 30))
    with cur.copy("COPY embeddings (id, owner_kind, owner_id, model, dim, text_sha1, vector, created_at) "
                  "FROM STDIN") as copy:
        for offset in range(0, len(owners), 10_000):
            chunk = owners[offset:offset + 10_000]
            matrix = generator.standard_normal((len(chunk), dim)).astype("<f4")
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            for (owner_id, text), vector in zip(chunk, matrix):
                copy.write_row((owner_id, "claim", owner_id, model, dim,
                                hashlib.sha1(text.encode("utf-8")).hexdigest(), vector.tobytes(), when))
    print(f"  embeddings: {len(owners):,} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
