"""The request class: text that arrives is cleaned of control characters once, for everyone.

NUL and the other C0 control characters (tabs and line breaks stay) have no place in what
residents write; PostgreSQL refuses NUL in text outright. Removing them where forms and query
strings are parsed means no view, operation or database ever meets them.
"""

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict

from participation.core.sanitize import strip_control_characters


def _cleaned(values):
    if not any(
        any(strip_control_characters(v) != v for v in items) for _key, items in values.lists()
    ):
        return values
    return ImmutableMultiDict(
        [(key, strip_control_characters(value)) for key, items in values.lists() for value in items]
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
