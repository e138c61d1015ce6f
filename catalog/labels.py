"""Human names, in both languages, of every vocabulary word."""

from functools import cache
from importlib import resources

import yaml

from catalog.errors import CatalogError
from catalog.models import Text
from catalog.vocab import VOCABULARIES


@cache
def all_labels() -> dict[str, dict[str, Text]]:
    """Return {vocabulary: {word: Text}}, checked to cover every word exactly."""
    raw = yaml.safe_load((resources.files("catalog") / "data" / "labels.yaml").read_text("utf-8"))
    labels: dict[str, dict[str, Text]] = {}
    for vocab, words in VOCABULARIES.items():
        given = raw.get(vocab) or {}
        if set(given) != set(words):
            missing, extra = set(words) - set(given), set(given) - set(words)
            raise CatalogError("labels.yaml", vocab, "words", f"missing {missing}, extra {extra}")
        labels[vocab] = {word: Text.model_validate(given[word]) for word in words}
    return labels


def label(vocab: str, word: str | bool) -> Text:
    """Return the bilingual label of `word` in `vocab` (the word itself if unknown)."""
    key = str(word).lower() if isinstance(word, bool) else word
    found = all_labels().get(vocab, {}).get(key)
    return found or Text(vi=str(word), en=str(word))


@cache
def concept_labels() -> dict[str, Text]:
    """Return {concept: Text}: the names of the built-in catalog's `measures` concepts."""
    raw = yaml.safe_load((resources.files("catalog") / "data" / "concepts.yaml")
                         .read_text("utf-8"))
    return {key: Text.model_validate(text) for key, text in (raw.get("concepts") or {}).items()}


def concept_label(concept: str) -> Text:
    """Return the bilingual name of a `measures` concept (the key itself if it has none, as
    in a catalog of one's own)."""
    return concept_labels().get(concept) or Text(vi=concept, en=concept)
