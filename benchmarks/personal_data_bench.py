"""Benchmark of the personal-data detector (portal.core.personal_data); writes benchmarks/results/personal_data.md.

    .venv/bin/python -m benchmarks.personal_data_bench

- the table of tests/consultations/data/personal_data_cases.tsv: how many must-mask spellings are hidden and how
  many innocent texts stay, for the detector now and for the one consultations used before issue 11 (read from
  git history, commit d3d139e, when git is there);
- detection time for a question and an answer at their length limits (5,000 and 10,000 characters): realistic
  text and inputs made to provoke backtracking (digits, dashes, capitalised words, @, number words).

No database is needed: a throw-away data folder.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "personal_data.md"
TABLE = ROOT / "tests" / "consultations" / "data" / "personal_data_cases.tsv"
OLD_COMMIT = "d3d139e"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def hidden(masked: str, secret: str) -> bool:
    if secret in masked:
        return False
    digits = _digits(secret)
    return not (len(digits) >= 4 and digits in _digits(masked))


def score(mask: Callable[[str], str]) -> tuple[int, int, int, int]:
    rows = [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    must = [row for row in rows if row[0] == "mask"]
    keep = [row for row in rows if row[0] == "keep"]
    masked = sum(hidden(mask(row[2]), row[3]) for row in must)
    kept = sum(mask(row[2]) == row[2] for row in keep)
    return masked, len(must), kept, len(keep)


def old_detector() -> Callable[[str], str] | None:
    try:
        source = subprocess.run(["git", "show", f"{OLD_COMMIT}:portal/consultations/masking.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp(prefix="old-masking-")) / "old_masking.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_masking", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_masking"] = module
    spec.loader.exec_module(module)
    return lambda text: module.mask(text).text


def timed(function: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="personal-data-bench-"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from portal.core import personal_data

    lines = [
        "# Personal-data detector",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"## The table ({TABLE.relative_to(ROOT)})",
        "",
        "| detector | must-mask spellings hidden | innocent texts left intact |",
        "| --- | --- | --- |",
    ]
    old = old_detector()
    if old is not None:
        masked, must, kept, keep = score(old)
        lines.append(f"| before issue 11 (consultations.masking at {OLD_COMMIT}) | {masked} / {must} "
                     f"| {kept} / {keep} |")
    masked, must, kept, keep = score(lambda text: personal_data.mask(text).text)
    lines.append(f"| now (portal.core.personal_data) | {masked} / {must} | {kept} / {keep} |")

    personal_data.detect("Иванов Иван 2015 г.р.")  # load the dictionary once
    realistic = ("Здравствуйте! Я Иванова Мария Петровна, 12.03.1985 г.р., живу по адресу ул. Ленина, д. 5, кв. 3. "
                 "Звоните 8-912-345-67-89 или пишите ivan(собака)mail.ru. Пособие 15 000 рублей в 2024 году. ")
    plain = "Подскажите, положена ли мне компенсация за ЖКУ, если пенсия 17 500 рублей, а семья из 3 человек? "
    inputs = {
        "realistic question, personal data in every sentence": realistic,
        "realistic question, no personal data": plain,
        "digits and spaces": "1 ",
        "digits and dashes": "1-2-",
        "capitalised words": "Ааа Ббб Ввв Ггг ",
        "initials": "А. Б. ",
        "@ signs": "@a",
        "number words": "один два три ",
        "dots": "a.",
    }
    lines += ["", "## Detection time (median of 5 runs, ms)", "", "| input | 5,000 characters | 10,000 characters |",
              "| --- | --- | --- |"]
    for name, unit in inputs.items():
        cells = []
        for size in (5000, 10000):
            text = (unit * (size // len(unit) + 1))[:size]
            cells.append(f"{timed(lambda text=text: personal_data.detect(text)):.0f}")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
        print(lines[-1], flush=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
