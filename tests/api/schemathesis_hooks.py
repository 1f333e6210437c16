"""Schemathesis hooks for the live API test: path parameters sometimes name real things.

Random slugs and ids only ever find 404s; the test writes the slugs and ids of the seeded
data per path template to the JSON file named by RUAMKID_ST_KNOWN, and generation draws from
those as well as from the schema.
"""

import json
import os

import schemathesis
from hypothesis import strategies as st

with open(os.environ["RUAMKID_ST_KNOWN"], encoding="utf-8") as handle:
    KNOWN = json.load(handle)


@schemathesis.hook
def before_generate_path_parameters(context, strategy):
    known = KNOWN.get(context.operation.path, [])
    if not known:
        return strategy
    return st.one_of(st.sampled_from(known), strategy)
