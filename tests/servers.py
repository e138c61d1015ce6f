"""The test servers running now: base URL -> the API token of their test workspace.

Its own module so that `conftest` (as pytest loads it) and `tests.conftest` (as test modules
import it) share one registry.
"""

SERVED_TOKENS: dict[str, str] = {}
