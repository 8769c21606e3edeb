"""Full-text search over cases: FTS5 on SQLite, tsvector/GIN on PostgreSQL (see migration
0002). User text never reaches the query language: it is cut into words first."""

import re

from sqlalchemy import Float, Integer, column, literal_column, select, table, text
from sqlmodel import Session

from coordination.cases.models import Case

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
# Common Swedish words that say nothing about what a case is about.
STOPWORDS = frozenset("""
och att det som en ett för med till inte den har var kan vid från eller ska men alla mot
där här efter under över också mycket sina sitt sin vara blir blev även bara inga inget
vill vilka detta dessa deras våra vår vårt utan mellan samt kring enligt hela många flera
""".split())

# Company forms (aktiebolag, handelsbolag …): nearly every company's name has one, so as a search
# word it narrows nothing, and it is the costliest word to look up (its list of matching cases is
# about as long as the list of cases). A search drops them, and the stopwords above, while it has
# other words; a search of nothing but such words keeps them.
COMPANY_FORMS = frozenset("ab hb kb publ aktiebolag aktiebolaget handelsbolag kommanditbolag".split())

_fts = table("cases_fts", column("rowid", Integer))


def words(text_: str, *, limit: int = MAX_TERMS) -> list[str]:
    seen: list[str] = []
    for word in _WORD.findall((text_ or "").lower()):
        if word not in seen:
            seen.append(word)
        if len(seen) >= limit:
            break
    return seen


def search_terms(query: str) -> list[str]:
    """The words of a search that narrow it (see COMPANY_FORMS)."""
    terms = words(query, limit=MAX_TERMS * 2)
    narrowing = [t for t in terms if t not in COMPANY_FORMS and t not in STOPWORDS]
    return (narrowing or terms)[:MAX_TERMS]


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def matching_ids(session: Session, query: str):
    """A subquery of the ids of cases matching every word of `query`, or None when the query has
    no words. On SQLite (no stemmer) every word matches as the beginning of a word. On
    PostgreSQL a word matches by its stem (the Swedish stemmer: "lastkajen" finds "lastkaj"),
    and the last word also as the beginning of a word, as it may be cut short: looking up
    every beginning of a common word ("Åkeri", a street's name) reads every case that has it,
    a cost that grows with the number of cases, where a whole word is found in its index
    entry at about the same cost at any size."""
    terms = search_terms(query)
    if not terms:
        return None
    if is_postgres(session):
        tsquery = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        return select(Case.id).where(
            text("cases.search_vector @@ to_tsquery('swedish', :tsq)").bindparams(tsq=tsquery))
    match = " ".join(f'"{term}"*' for term in terms)
    return select(literal_column("rowid")).select_from(_fts).where(
        text("cases_fts MATCH :match").bindparams(match=match))


def significant_words(text_: str) -> list[str]:
    """The longest distinct non-stopwords of a text, for finding cases like it."""
    candidates = [w for w in dict.fromkeys(_WORD.findall((text_ or "").lower()))
                  if len(w) >= 4 and w not in STOPWORDS and not w.isdigit()]
    candidates.sort(key=len, reverse=True)
    return candidates[:MAX_TERMS]


def ranked_similar(session: Session, text_: str, candidate_ids_query, *, limit: int = 8) -> list[tuple[int, float]]:
    """(case id, score) of the cases among `candidate_ids_query` that share the most words
    with `text_`, best first; higher score is more similar on both databases."""
    terms = significant_words(text_)
    if not terms:
        return []
    if is_postgres(session):
        ranked = (text("SELECT id, ts_rank(search_vector, to_tsquery('swedish', :tsq)) AS score FROM cases "
                       "WHERE search_vector @@ to_tsquery('swedish', :tsq)")
                  .bindparams(tsq=" | ".join(terms))
                  .columns(column("id", Integer), column("score", Float)).subquery("ranked"))
        rows = session.execute(
            select(ranked.c.id, ranked.c.score).where(ranked.c.id.in_(candidate_ids_query))
            .order_by(ranked.c.score.desc(), ranked.c.id.desc()).limit(limit)
        ).all()
        return [(row[0], float(row[1])) for row in rows]
    match = " OR ".join(f'"{term}"' for term in terms)
    rows = session.execute(
        select(literal_column("rowid"), literal_column("bm25(cases_fts)").label("rank")).select_from(_fts)
        .where(text("cases_fts MATCH :match").bindparams(match=match))
        .where(literal_column("rowid").in_(candidate_ids_query))
        .order_by(literal_column("rank"), literal_column("rowid").desc()).limit(limit)
    ).all()
    # bm25 is lower for better matches; turn it round so that higher means more similar.
    return [(row[0], -float(row[1])) for row in rows]

