"""The booklet's print button exists only for JavaScript (it would do nothing without it)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_print_button_is_hidden_until_the_script_runs(client, site_tree) -> None:
    html = client.get("/booklet/").content.decode()
    control = re.search(r'<p class="print-button no-print"[^>]*>', html)
    assert control is not None
    assert "hidden" in control.group(0) and "data-print-control" in control.group(0)
    assert re.search(r'<script src="[^"]*cms/print\.js"', html)
    script = open(finders.find("cms/print.js"), encoding="utf-8").read()
    assert "[data-print-control]" in script and "hidden = false" in script
