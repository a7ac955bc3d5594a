"""The matching engine of issue 11 §2: which Posyantek (and which of its products) can answer
a partner need, with a 0–100 score from stored components and an explanation in the viewer's
language.

    need_rank(need) -> list[MatchResult]        read-only, best first (engine.py)
    WEIGHTS, score_from_components(kind, c)     the one place the weights live (scoring.py)
    explain(match, *, need) -> list[str]        parts in the active language (explain.py)
    explain_text(match, *, need) -> str

mitra.services.need_match_compute stores the results as Match rows.
"""

from mitra.matching.engine import MatchResult, need_rank
from mitra.matching.explain import explain, explain_text
from mitra.matching.scoring import COMPONENTS, WEIGHTS, score_from_components

__all__ = [
    "COMPONENTS",
    "WEIGHTS",
    "MatchResult",
    "explain",
    "explain_text",
    "need_rank",
    "score_from_components",
]
