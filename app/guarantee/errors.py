"""The one error for bad input: the UI shows `field` and `message` (Swedish) and keeps what was saved."""


class InputError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
