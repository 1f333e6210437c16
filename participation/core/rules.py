"""The error that operations raise when a rule of the platform is broken."""


class RuleError(Exception):
    """A rule was broken; ``message`` is translatable and shown to the user as it is.

    ``field`` names the form field at fault, when there is one, so views and the API can put the
    message beside it.
    """

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
