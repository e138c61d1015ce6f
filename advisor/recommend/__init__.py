"""The recommendation: facts from the answers and the catalog, the rules' scores, the selection
policy, the view in one language, and the consultant's working set."""

from advisor.recommend.facts import recommend_kpis, score_candidates

__all__ = ["recommend_kpis", "score_candidates"]
