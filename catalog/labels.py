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
