"""The request class: text that arrives is cleaned once, for everyone (``clean_input``).

NUL and the other C0 control characters (tabs and line breaks stay), invisible and
direction-changing characters have no place in what residents write; PostgreSQL refuses NUL in
text outright. Cleaning them where forms and query strings are parsed means no view, operation
or database ever meets them. The API (JSON bodies) and the live events use the same function.
"""

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict

from participation.core.sanitize import clean_input


def _cleaned(values):
    if not any(any(clean_input(v) != v for v in items) for _key, items in values.lists()):
        return values
    return ImmutableMultiDict(
        [(key, clean_input(value)) for key, items in values.lists() for value in items]
    )


class Request(FlaskRequest):
    def _load_form_data(self):
        super()._load_form_data()
        self.__dict__["form"] = _cleaned(self.__dict__["form"])

    @property
    def args(self):
        if "_clean_args" not in self.__dict__:
            self.__dict__["_clean_args"] = _cleaned(super().args)
        return self.__dict__["_clean_args"]
