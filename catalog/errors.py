"""Named exceptions of the catalog package."""


class CatalogError(Exception):
    """A catalog data file is broken; the message names the file, the entry and the field."""

    def __init__(self, file: str, entry: str, field: str, message: str):
        super().__init__(f"{file}: entry {entry}: {field}: {message}")
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message
